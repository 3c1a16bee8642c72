"""Issue 13, item 5 (batch): column headers may be the fields' labels, the folder name comes from a column the user
picks (default: the counterparty that varies), and `keiyaku batch --template` writes a header Excel opens."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from contracts.batch import TEMPLATE_COLUMNS, decode, default_name_column, read_table, template_csv
from tests.conftest import ROOT

BASE = ROOT / "examples" / "data_provision.yaml"
NO_LOCALE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env=NO_LOCALE)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir())


# --------------------------------------------------------------------------- the template


def test_the_template_is_a_header_of_labels_in_utf8_with_bom_or_shift_jis():
    utf8 = template_csv()
    assert utf8.startswith(b"\xef\xbb\xbf") and utf8.endswith(b"\r\n") and utf8.count(b"\r\n") == 1  # Excel needs the BOM
    header = utf8.decode("utf-8-sig").rstrip("\r\n").split(",")
    assert header[:2] == ["相手方の正式名称", "相手方の種別"] and "対価の金額（円）" in header
    sjis = template_csv(encoding="cp932")
    assert sjis.decode("cp932") == utf8.decode("utf-8-sig")
    for content in (utf8, sjis):  # what the template says is read back as the fields it stands for
        text, _ = decode(content)
        assert read_table(text).columns == list(TEMPLATE_COLUMNS)


def test_the_template_command(tmp_path):
    result = run("batch", "--template", tmp_path / "rows.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rows.csv").read_bytes() == template_csv()
    assert "見出し行を書き出しました（utf-8-sig、7列）" in result.stderr
    result = run("batch", "--template", tmp_path / "sjis.csv", "--encoding", "cp932", "--column", "賞の名称（1件目）",
                 "--column", "deal.term_months")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sjis.csv").read_bytes().decode("cp932") == "賞の名称（1件目）,契約期間（月）\r\n"
    assert run("batch", "--template", "-").stdout_bytes == template_csv()
    again = run("batch", "--template", tmp_path / "rows.csv")
    assert again.exit_code == 2 and "--force" in again.stderr  # never overwritten without --force
    bad = run("batch", "--template", tmp_path / "x.csv", "--column", "相手方の名前")
    assert bad.exit_code == 2 and "--column 相手方の名前: 回答ファイルの項目でも項目名でもありません" in bad.stderr
    assert not (tmp_path / "x.csv").exists()
    assert run("batch", "--template", tmp_path / "y.csv", BASE).exit_code == 2
    missing = run("batch", BASE)
    assert missing.exit_code == 2 and "ROWS（CSV）と --out を指定してください" in missing.stderr


# --------------------------------------------------------------------------- labels as headers, folder names


def test_label_headers_and_lenient_cells_in_a_shift_jis_csv(tmp_path):
    rows = write_csv(tmp_path / "rows.csv", [
        ["相手方の正式名称", "相手方の種別", "対価の金額（円）", "契約締結日", "受講者・参加者の人数"],
        ["国立大学法人サンプル大学", "国立大学法人", "150万円", "令和9年5月1日", "１２０名"],
        ["株式会社まちがい", "学校", "", "", ""],
    ], "cp932")
    out = tmp_path / "out"
    result = run("batch", BASE, rows, "--out", out, "--jobs", "1")
    assert result.exit_code == 1, result.output  # the second row fails, the first is written
    assert folders(out) == ["001_国立大学法人サンプル大学"]
    assert ("2行目のデータ（ファイルの3行目）: 相手方の種別（parties.recipient.kind）（2列目）: 「学校」は選択肢にありません"
            in result.stderr)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    error = manifest["entries"][1]["errors"][0]
    assert (error["field"], error["label"], error["column"]) == ("parties.recipient.kind", "相手方の種別", 2)
    assert manifest["encoding"] == "cp932"


def test_an_unknown_header_suggests_the_closest_field(tmp_path):
    rows = write_csv(tmp_path / "rows.csv", [["parties.recipient.nmae", "相手方の正式名"], ["a", "b"]])
    result = run("batch", BASE, rows, "--out", tmp_path / "out")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert "1列目（parties.recipient.nmae）: 回答ファイルの項目でも項目名でもありません。「parties.recipient.name」の誤りではありませんか" in result.stderr
    assert "2列目（相手方の正式名）: " in result.stderr and "「相手方の正式名称」の誤りではありませんか" in result.stderr


def test_folders_are_named_by_the_counterparty_that_varies(tmp_path):
    """A university giving data to many companies: the provider's name varies, the recipient's does not."""
    text = ("parties.provider.name,parties.recipient.name\r\n株式会社アルファ,国立大学法人サンプル大学\r\n"
            "株式会社ベータ,国立大学法人サンプル大学\r\n")
    assert default_name_column(read_table(text)) == "parties.provider.name"
    both = "parties.provider.name,parties.recipient.name\r\nA,X\r\nB,Y\r\n"
    assert default_name_column(read_table(both)) == "parties.recipient.name"
    assert default_name_column(read_table("deal.term_months\r\n12\r\n")) == "parties.recipient.name"
    rows = write_csv(tmp_path / "rows.csv", [line.split(",") for line in text.strip().split("\r\n")])
    out = tmp_path / "out"
    result = run("batch", BASE, rows, "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert folders(out) == ["001_株式会社アルファ", "002_株式会社ベータ"]


def test_the_name_column_is_chosen_by_path_label_or_any_header(tmp_path):
    rows = write_csv(tmp_path / "rows.csv", [
        ["管理番号", "相手方の正式名称", "契約締結日"],
        ["K-001", "株式会社サンプル", "2027/5/1"],
        ["K-002", "株式会社サンプル", "2027/6/1"],
    ])
    out = tmp_path / "by-id"
    result = run("batch", BASE, rows, "--out", out, "--jobs", "1", "--name-column", "管理番号")
    assert result.exit_code == 0, result.output  # a column only for naming: not a field, not applied
    assert folders(out) == ["001_K-001", "002_K-002"]
    dated = write_csv(tmp_path / "dated.csv", [["相手方の正式名称", "契約締結日"], ["株式会社サンプル", "2027/5/1"],
                                               ["株式会社サンプル", "令和9年6月1日"]])
    out = tmp_path / "by-date"
    result = run("batch", BASE, dated, "--out", out, "--jobs", "1", "--name-column", "契約締結日")
    assert result.exit_code == 0, result.output
    assert folders(out) == ["001_2027-05-01", "002_2027-06-01"]
    # without --name-column, a column that is not a field is refused in the header
    result = run("batch", BASE, rows, "--out", tmp_path / "none")
    assert result.exit_code == 2 and "1列目（管理番号）" in result.stderr
    result = run("batch", BASE, rows, "--out", tmp_path / "none", "--name-column", "番号")
    assert result.exit_code == 2 and "--name-column 番号: CSV にこの列がありません" in result.stderr
