"""Drive a headless LibreOffice with a Basic macro: accept or reject every tracked change, or edit a file the way a
counterparty would (change tracking on or off, replace text, add a footnote or a page-number field, set the user name
the changes are recorded under), and save the result as DOCX. Inserting a comment from a headless macro crashes
LibreOffice 7.4 (it builds the comment's window), so comments come from python-docx.

LibreOffice has no command-line switch for "accept all changes", and python3-uno is not installed here, so each run
gets a throw-away user profile holding one Basic module; ``soffice --headless macro:///Standard.Module1.Run(...)``
runs it. One soffice start handles a whole job list (a start costs a few seconds). soffice is found by
``shutil.which``; the tests skip nothing silently: callers assert that it exists.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

MODULE = r"""
Function Prop(pName As String, pValue) As Object
    Dim p As New com.sun.star.beans.PropertyValue
    p.Name = pName
    p.Value = pValue
    Prop = p
End Function

Function OpenHidden(url As String)
    Dim args(0) As New com.sun.star.beans.PropertyValue
    args(0) = Prop("Hidden", True)
    OpenHidden = StarDesktop.loadComponentFromURL(url, "_blank", 0, args())
End Function

Sub SaveDocx(doc, url As String)
    Dim args(0) As New com.sun.star.beans.PropertyValue
    args(0) = Prop("FilterName", "MS Word 2007 XML")
    doc.storeToURL(url, args())
End Sub

Sub Dispatch(doc, command As String)
    Dim dispatcher As Object
    dispatcher = createUnoService("com.sun.star.frame.DispatchHelper")
    dispatcher.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, Array())
End Sub

Sub ReplaceAll(doc, find As String, repl As String)
    Dim rd As Object
    rd = doc.createReplaceDescriptor()
    rd.SearchString = find
    rd.ReplaceString = repl
    doc.replaceAll(rd)
End Sub

Sub AddFootnote(doc, after As String, note As String)
    Dim sd As Object, found As Object, fn As Object
    sd = doc.createSearchDescriptor()
    sd.SearchString = after
    found = doc.findFirst(sd)
    If IsNull(found) Then Exit Sub
    fn = doc.createInstance("com.sun.star.text.Footnote")
    found.getText().insertTextContent(found.getEnd(), fn, False)
    fn.getText().setString(note)
End Sub

Sub AddPageField(doc, after As String)
    Dim sd As Object, found As Object, f As Object
    sd = doc.createSearchDescriptor()
    sd.SearchString = after
    found = doc.findFirst(sd)
    If IsNull(found) Then Exit Sub
    f = doc.createInstance("com.sun.star.text.textfield.PageNumber")
    f.NumberingType = 4
    f.SubType = com.sun.star.text.PageNumberType.CURRENT
    found.getText().insertTextContent(found.getEnd(), f, False)
End Sub

Sub LogLine(logFile As String, msg As String)
    Dim k As Integer
    k = FreeFile()
    Open logFile For Append As #k
    Print #k, msg
    Close #k
End Sub

Sub Run(jobFile As String)
    Dim n As Integer, jobLine As String, parts, doc As Object, logFile As String
    logFile = jobFile & ".log"
    On Error GoTo Failed
    n = FreeFile()
    Open jobFile For Input As #n
    Do While Not EOF(n)
        Line Input #n, jobLine
        LogLine(logFile, jobLine)
        parts = Split(jobLine, Chr(9))
        If UBound(parts) >= 0 Then
            Select Case parts(0)
            Case "open"
                doc = OpenHidden(parts(1))
                If IsNull(doc) Then
                    LogLine(logFile, "ERROR cannot open " & parts(1))
                    StarDesktop.terminate()
                    Exit Sub
                End If
            Case "accept"
                Dispatch(doc, ".uno:AcceptAllTrackedChanges")
            Case "reject"
                Dispatch(doc, ".uno:RejectAllTrackedChanges")
            Case "record"
                doc.RecordChanges = (parts(1) = "on")
            Case "author"
                Dim cfg As Object
                cfg = GetConfigAccess("/org.openoffice.UserProfile/Data", True)
                cfg.givenname = parts(1)
                cfg.sn = ""
                cfg.commitChanges()
            Case "replace"
                ReplaceAll(doc, parts(1), parts(2))
            Case "footnote"
                AddFootnote(doc, parts(1), parts(2))
            Case "pagefield"
                AddPageField(doc, parts(1))
            Case "save"
                SaveDocx(doc, parts(1))
            Case "close"
                doc.close(True)
            End Select
        End If
    Loop
    Close #n
    LogLine(logFile, "done")
    StarDesktop.terminate()
    Exit Sub
Failed:
    LogLine(logFile, "ERROR " & Err & ": " & Error$ & " (line " & Erl & ")")
    StarDesktop.terminate()
End Sub

Function GetConfigAccess(path As String, writable As Boolean) As Object
    Dim provider As Object
    provider = createUnoService("com.sun.star.configuration.ConfigurationProvider")
    Dim args(0) As New com.sun.star.beans.PropertyValue
    args(0) = Prop("nodepath", path)
    If writable Then
        GetConfigAccess = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess", args())
    Else
        GetConfigAccess = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationAccess", args())
    End If
End Function
"""

_XLC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
</library:libraries>
"""
_XLB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">
{elements}</library:library>
"""
_XBA = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">{code}</script:module>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile(exe: str, root: Path) -> Path:
    """A fresh user profile with our module. LibreOffice copies its preset Basic library over ``user/basic`` when it
    first starts a profile, so the profile is initialised first and the module written afterwards."""
    subprocess.run([exe, f"-env:UserInstallation={root.as_uri()}", "--headless", "--norestore", "--terminate_after_init"],
                   capture_output=True, timeout=120)
    basic = root / "user" / "basic"
    (basic / "Standard").mkdir(parents=True, exist_ok=True)
    (basic / "script.xlc").write_text(_XLC, encoding="utf-8")
    (basic / "dialog.xlc").write_text(_XLC, encoding="utf-8")
    (basic / "Standard" / "script.xlb").write_text(
        _XLB.format(elements=' <library:element library:name="Module1"/>\n'), encoding="utf-8")
    (basic / "Standard" / "dialog.xlb").write_text(_XLB.format(elements=""), encoding="utf-8")
    (basic / "Standard" / "Module1.xba").write_text(_XBA.format(code=escape(MODULE)), encoding="utf-8")
    return root


def run_jobs(steps: list[tuple[str, ...]], timeout: int = 300) -> None:
    """Run macro steps (``("open", path)``, ``("accept",)``, ``("save", path)``, ``("close",)`` …) in one soffice.

    Paths in ``open`` and ``save`` are local paths; they are turned into file URLs here.
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="keiyaku-lo-") as tmp:
        root = _profile(exe, Path(tmp) / "profile")
        lines = []
        for step in steps:
            if step[0] in ("open", "save"):
                step = (step[0], Path(step[1]).resolve().as_uri(), *step[2:])
            if any("\t" in s or "\n" in s for s in step):
                raise ValueError(f"tab or newline in a macro step: {step!r}")
            lines.append("\t".join(step))
        job = Path(tmp) / "job.txt"
        job.write_text("\n".join(lines) + "\n", encoding="utf-8")
        proc = subprocess.Popen(
            [exe, f"-env:UserInstallation={root.as_uri()}", "--headless", "--norestore", "--nologo",
             f'macro:///Standard.Module1.Run("{job}")'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice is a script that starts soffice.bin: end the whole group
            proc.communicate()
            raise RuntimeError(f"soffice did not finish in {timeout} s; steps run: {_log(job)}") from None
        log = _log(job)
        if proc.returncode != 0 or "ERROR" in log or not log.rstrip().endswith("done"):
            raise RuntimeError(f"soffice failed ({proc.returncode}): {log} {err[-2000:]}")


def _log(job: Path) -> str:
    path = Path(f"{job}.log")
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def accept_reject(files: list[Path], out_dir: Path) -> dict[Path, tuple[Path, Path]]:
    """For each DOCX: (accepted-all copy, rejected-all copy), saved by LibreOffice as DOCX into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    steps: list[tuple[str, ...]] = []
    made = {}
    for i, f in enumerate(files):
        acc, rej = out_dir / f"{i:02d}_accepted.docx", out_dir / f"{i:02d}_rejected.docx"
        steps += [("open", str(f)), ("accept",), ("save", str(acc)), ("close",)]
        steps += [("open", str(f)), ("reject",), ("save", str(rej)), ("close",)]
        made[f] = (acc, rej)
    run_jobs(steps)
    return made
