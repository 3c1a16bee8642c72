"""`keiyaku serve`: the browser questionnaire as an ASGI application (Starlette), a thin front end on the core.

Pages
  GET  /                              deals, with search; import an answers file
  GET  /new                           start: pick a model, or answer the goals and constraints and see the ranking
  POST /deals                         create a deal (its draft starts with the model and the start answers)
  POST /import                        an uploaded answers file becomes a new deal with version 1
  GET  /deals/{id}?s=SECTION          the form of one section beside the preview
  POST /deals/{id}/answers            change the draft (the page's script sends each change); action=save saves a version
  GET  /deals/{id}/versions           saved versions: who, when, note; exports, downloads, redline
  GET  /deals/{id}/versions/{n}       the files of a version, one by one
  GET  /deals/{id}/versions/{n}/answers.yaml, /download/{all|clean|review}.zip, /packet.pdf, /files/{i}
  POST /deals/{id}/versions/{n}/restore   load a version back into the draft
  GET  /deals/{id}/redline?old=N&new=M    the redline between two versions (zip)

Every POST carries the page's CSRF token; every refusal is a Japanese message and changes nothing stored.
"""

from __future__ import annotations

import getpass
import hmac
import json
import re
from pathlib import Path
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from contracts import questions as Q
from contracts.store import (
    MAX_AUTHOR,
    MAX_NOTE,
    NotFound,
    Stale,
    Store,
    answers_data,
    answers_yaml,
    describe,
    read_answers_file,
)
from web import views
from web.downloads import content_disposition, media_type, safe_name, zip_set
from web.guard import BodyTooLarge, Guard, Settings

MAX_FIELDS = 1000  # fields in one form post (a whole answers form has about 100)
AUTHOR_COOKIE = "keiyaku_author"


class WebError(Exception):
    """A refused request: the status and the Japanese message the person reads. Nothing was stored."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _wants_json(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    context.setdefault("csrf", request.state.csrf)
    context.setdefault("labels", views.model_labels())
    return HTMLResponse(views.render(name, **context), status_code=status)


def _refuse(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "message": message}, status_code=status)
    return _page(request, "error.html", status=status, message=message)


# --------------------------------------------------------------------------- reading requests


async def _form(request: Request, upload: bool = False):
    """The posted form, bounded, with its CSRF token checked; WebError otherwise."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin not in (f"http://{host}", f"https://{host}"):
            raise WebError(403, "別のサイトからの送信は受け付けません。何も保存していません。")
    if request.headers.get("sec-fetch-site") not in (None, "same-origin", "none"):
        raise WebError(403, "別のサイトからの送信は受け付けません。何も保存していません。")
    try:
        form = await request.form(max_files=1 if upload else 0, max_fields=MAX_FIELDS, max_part_size=128 * 1024)
    except BodyTooLarge:
        raise WebError(413, "送信された内容が大きすぎます。何も保存していません。") from None
    except HTTPException:
        raise WebError(400, "送信された内容を読めませんでした（項目が多すぎるか、一つの項目が長すぎます）。何も保存していません。") from None
    token = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), request.state.csrf.encode()):
        raise WebError(403, "ページの有効期限が切れたか、このページ以外からの送信です。ページを再読み込みしてから、もう一度操作してください。何も保存していません。")
    return form


def _int(value, what: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,9}", value):
        raise WebError(400, f"{what}が正しくありません。ページを再読み込みしてください。何も保存していません。")
    return int(value)


def _answers_fields(form, allowed=None) -> dict:
    """The answer fields of a posted form (path -> text or ticked values); unknown fields refuse the request."""
    from contracts import vocabulary

    out: dict = {}
    for path in dict.fromkeys(form.keys()):
        if path.startswith("_") or path in ("csrf_token", "action", "note", "author"):
            continue
        if not Q.askable(path) or (allowed is not None and not any(path == a or path.startswith(a + ".") for a in allowed)):
            raise WebError(400, f"不明な項目が送信されました（{path[:60]}）。何も保存していません。")
        values = form.getlist(path)
        if any(not isinstance(v, str) for v in values):
            raise WebError(400, "ファイルはこの項目に送信できません。何も保存していません。")
        if any(len(v) > Q.MAX_TEXT for v in values):
            raise WebError(400, f"{views.label_for(path)}: {Q.MAX_TEXT:,}文字以内で入力してください。何も保存していません。")
        field = vocabulary.entry(path)
        if field.shape == "list" and field.values:  # ticked choices
            out[path] = [v for v in values if v]
            continue
        if len(values) != 1:
            raise WebError(400, f"{path[:60]} が重複して送信されました。何も保存していません。")
        out[path] = values[0].replace("\r\n", "\n").replace("\r", "\n")
    return out


def _deal(store: Store, deal_id: int):
    if deal_id > 2**62:
        raise WebError(404, "この案件は見つかりません。案件一覧から選んでください。")
    try:
        return store.get(deal_id)
    except NotFound:
        raise WebError(404, "この案件は見つかりません。案件一覧から選んでください。") from None


def _version(store: Store, deal_id: int, number: int):
    if number > 2**62:
        raise WebError(404, f"第{number}版は見つかりません。")
    try:
        return store.version(deal_id, number)
    except NotFound:
        raise WebError(404, f"第{number}版は見つかりません。") from None


def _one_line(text: str, limit: int, what: str) -> str:
    from contracts.answers import text_problem

    text = " ".join((text or "").split())
    if not text:
        return ""
    if len(text) > limit:
        raise WebError(400, f"{what}は{limit}文字以内で入力してください。何も保存していません。")
    problem = text_problem(text)
    if problem:
        raise WebError(400, f"{what}: {Q.message_ja(problem)}。何も保存していません。")
    return text


# --------------------------------------------------------------------------- the application


class App:
    def __init__(self, store: Store):
        self.store = store
        self.engine = views.Engine()
        self.default_author = _os_user()

    # ----------------------------------------------------------- deals

    async def home(self, request: Request):
        query = request.query_params.get("q", "")[:100]
        deals = self.store.deals(query)
        return _page(request, "deals.html", deals=deals, query=query, author=self._author(request))

    async def start(self, request: Request):
        """Pick a model, or see the ranking for the goals and constraints answered in the query."""
        from contracts.batch import apply_override
        from contracts.library import default_library
        from contracts.risk import default_riskbook

        raw: dict = {}
        problems: dict[str, str] = {}
        if request.query_params:
            for path in dict.fromkeys(request.query_params.keys()):
                if not any(path == a or path.startswith(a + ".") for a in Q.RECOMMEND_ASKS) or not Q.askable(path):
                    continue
                values = [v[:200] for v in request.query_params.getlist(path)]
                raw[path] = [v for v in values if v] if path == "deal.goals" else values[-1]
        data: dict = {}
        for path, text in raw.items():
            try:
                value = Q.parse(path, text)
            except ValueError as exc:
                problems[path] = str(exc)
                continue
            if value is not None:
                apply_override(data, path, value)
        result = await run_in_threadpool(Q.recommendation, data) if data.get("deal", {}).get("goals") else None
        asked = request.query_params.get("goals_asked") == "1"
        if asked and not result:
            problems.setdefault("deal.goals", "目的を一つ以上選んでください")
        lib = default_library()
        book = default_riskbook()
        cards = []
        from contracts import vocabulary

        for model in vocabulary.MODEL_IDS:
            p = book.profiles.get(model)
            cards.append({
                "model": model,
                "label": vocabulary.entry("model").value_label(model, "ja"),
                "returns": p.returns if p else "",
                "note": p.note if p else "",
                "documents": [(d.title, bool(d.when)) for d in lib.documents_for(model)],
            })
        hidden = [(k, v) for k, vs in raw.items() for v in (vs if isinstance(vs, list) else [vs]) if v != ""]
        return _page(request, "new.html", cards=cards, asks=Q.ask_at(Q.RECOMMEND_ASKS, data), raw=raw,
                     problems=problems, result=result, hidden=hidden)

    async def create(self, request: Request):
        from contracts.vocabulary import MODEL_IDS

        form = await _form(request)
        model = form.get("model")
        if model not in MODEL_IDS:
            raise WebError(400, "提供モデルを選んでください。何も保存していません。")
        start = _answers_fields(_without(form, ("model",)), allowed=Q.RECOMMEND_ASKS)
        draft = Q.compact({"model": model, **start})
        deal = self.store.create(draft, model)
        return RedirectResponse(f"/deals/{deal.id}", status_code=303)

    async def import_file(self, request: Request):
        from contracts.answers import MAX_ANSWERS_BYTES, AnswersError

        form = await _form(request, upload=True)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise WebError(400, "取り込む回答ファイル（YAML 又は JSON）を選んでください。何も保存していません。")
        raw = await upload.read(MAX_ANSWERS_BYTES + 1)
        if len(raw) > MAX_ANSWERS_BYTES:
            raise WebError(413, f"回答ファイルが大きすぎます（{MAX_ANSWERS_BYTES // 1024} KiB まで）。何も保存していません。")
        author = _one_line(form.get("author") or "", MAX_AUTHOR, "保存者") or self.default_author
        kind = "upload.json" if (upload.filename or "").lower().endswith(".json") else "upload.yaml"
        try:
            answers = await run_in_threadpool(read_answers_file, raw, kind)
            await run_in_threadpool(self.engine.prepare, answers)
        except AnswersError as exc:
            lines = [f"{views.label_for(p)}（{p}）: {Q.message_ja(m)}" for p, m in exc.problems]
            return _page(request, "error.html", status=400,
                         message="回答ファイルを取り込めませんでした。何も保存していません。", details=lines)
        data = answers_data(answers)
        title, search = describe(data)
        deal = self.store.create(Q.flatten(data), answers.model, title, search, version=data, author=author,
                                 note="回答ファイルから取り込み")
        return RedirectResponse(f"/deals/{deal.id}", status_code=303)

    # ----------------------------------------------------------- the editor

    def _state(self, raw: dict, section: str, last_valid: dict | None):
        """(built answers, editor, preview) for form text: the core reads it; this only lays it out."""
        from contracts.answers import AnswersError, validate_answers

        built = Q.build(raw, views.KEEP)
        extra: list = []
        preview = None
        if built.answers is not None:
            preview, extra = views.preview_of(self.engine, built.answers)
            if extra:
                preview = None
        if preview is None:
            notice = ("回答に未入力又は誤りのある項目があります。直すとプレビューが更新されます。"
                      if built.problems or extra else "")
            preview = views.Preview("empty", notice=notice)
            if last_valid:
                try:
                    old = validate_answers(last_valid, "last")
                    stale, more = views.preview_of(self.engine, old, state="stale",
                                                   notice=notice + " 下は最後に有効だった回答によるプレビューです。")
                    if not more:
                        preview = stale
                except AnswersError:
                    pass
        editor = views.editor_of(raw, built, section, extra)
        return built, extra, editor, preview

    async def editor(self, request: Request):
        deal = _deal(self.store, request.path_params["deal_id"])
        section = request.query_params.get("s", "parties")
        built, extra, editor, preview = await run_in_threadpool(self._state, deal.draft, section, deal.preview)
        return _page(request, "editor.html", deal=deal, editor=editor, preview=preview, built=built,
                     author=self._author(request), next=views.next_section(editor), message="")

    async def update(self, request: Request):
        from contracts.answers import MAX_ANSWERS_BYTES

        deal = _deal(self.store, request.path_params["deal_id"])
        form = await _form(request)
        rev = _int(form.get("_rev"), "編集の版（_rev）")
        section = form.get("_section") or "parties"
        if not isinstance(section, str) or not re.fullmatch(r"[a-z_]{1,20}", section):
            raise WebError(400, "セクションが正しくありません。何も保存していません。")
        posted = _answers_fields(form)
        draft = Q.compact({**deal.draft, **posted})
        if len(json.dumps(draft, ensure_ascii=False).encode()) > MAX_ANSWERS_BYTES:
            raise WebError(413, f"回答が大きすぎます（{MAX_ANSWERS_BYTES // 1024} KiB まで）。何も保存していません。")
        saving = form.get("action") == "save"
        built, extra, editor, preview = await run_in_threadpool(self._state, draft, section, deal.preview)
        valid = built.answers is not None and not extra
        title, search = describe(built.data)
        model = built.data.get("model") if isinstance(built.data.get("model"), str) else None
        message = ""
        head = deal.head
        response_cookies = []
        try:
            if saving:
                head_seen = _int(form.get("_head"), "保存済みの版（_head）")
                author = _one_line(form.get("author") or "", MAX_AUTHOR, "保存者")
                note = _one_line(form.get("note") or "", MAX_NOTE, "メモ")
                if not author:
                    raise WebError(422, "保存者の名前を入力してください。何も保存していません。")
                if not valid:
                    raise WebError(422, f"保存できません。未入力又は誤りのある項目が{len(built.problems) + len(extra)}件あります"
                                        "（フォームの赤い表示を参照）。何も保存していません。")
                head, rev = self.store.save_version(
                    deal.id, answers_data(built.answers), author=author, note=note, expected_head=head_seen,
                    expected_rev=rev, draft=draft, model=model, title=title, search=search)
                message = f"第{head}版として保存しました（{author}）。"
                response_cookies.append((AUTHOR_COOKIE, quote(author)))
            else:
                rev = self.store.update_draft(deal.id, draft, rev, model=model, title=title, search=search,
                                              preview=answers_data(built.answers) if valid else None)
        except Stale as exc:
            if exc.what == "version":
                raise WebError(409, f"この案件は、このページを開いた後に別のタブ又は別の人が第{exc.current}版として保存しています。"
                                    "上書きを防ぐため保存しませんでした。ページを再読み込みして最新の内容を確認してから、"
                                    "もう一度保存してください。") from None
            raise WebError(409, "この案件の回答は、別のタブ又は別の人が先に変更しています。上書きを防ぐため、この変更は保存していません。"
                                "ページを再読み込みして最新の内容を確認してください。") from None
        if _wants_json(request):
            same_form = form.get("_sig") == editor.sig
            payload = {
                "ok": True, "rev": rev, "head": head, "message": message,
                "errors": editor.errors, "missing": sorted(editor.missing), "counts": editor.counts, "sig": editor.sig,
                "problems": views.render("_problems.html", editor=editor, deal=deal),
                "preview": views.render("_preview.html", preview=preview),
                "form": None if same_form else views.render("_fields.html", editor=editor, deal=deal),
            }
            response = JSONResponse(payload)
        else:
            target = f"/deals/{deal.id}?s={editor.section.key}"
            response = RedirectResponse(target, status_code=303)
        for name, value in response_cookies:
            response.set_cookie(name, value, max_age=365 * 24 * 3600, httponly=True, samesite="strict")
        return response

    # ----------------------------------------------------------- versions and files

    async def versions(self, request: Request):
        deal = _deal(self.store, request.path_params["deal_id"])
        return _page(request, "versions.html", deal=deal, versions=self.store.versions(deal.id),
                     redline=redline_available())

    def _answers_of(self, deal_id: int, number: int):
        from contracts.answers import validate_answers

        return validate_answers(_version(self.store, deal_id, number).answers, f"第{number}版")

    async def version(self, request: Request):
        deal = _deal(self.store, request.path_params["deal_id"])
        number = request.path_params["number"]
        v = _version(self.store, deal.id, number)
        answers = self._answers_of(deal.id, number)
        names = await run_in_threadpool(self._file_names, answers)
        return _page(request, "version.html", deal=deal, version=v, names=names)

    def _file_names(self, answers) -> list[str]:
        from contracts.generate import BOARD_PACKET

        return sorted(self.engine.files(answers, with_pdf=False)) + [BOARD_PACKET]

    def _base(self, deal, number: int) -> str:
        return safe_name(deal.title) or f"案件{deal.id}"

    async def export_yaml(self, request: Request):
        deal = _deal(self.store, request.path_params["deal_id"])
        number = request.path_params["number"]
        v = _version(self.store, deal.id, number)
        heading = f"keiyaku serve で保存した案件「{deal.title}」の第{v.number}版（保存者: {v.author}、{v.created_at}、メモ: {v.note or 'なし'}）"
        body = await run_in_threadpool(answers_yaml, v.answers, heading)
        name = f"{self._base(deal, number)}_第{number}版.yaml"
        return _download(body, name, f"keiyaku-{deal.id}-v{number}.yaml")

    async def download(self, request: Request):
        deal = _deal(self.store, request.path_params["deal_id"])
        number = request.path_params["number"]
        what = request.path_params["what"]
        from contracts.generate import REVIEW_DIR

        answers = self._answers_of(deal.id, number)
        base = self._base(deal, number)
        if what == "all":
            files = await run_in_threadpool(self.engine.files, answers, True)
            suffix = ""
        elif what == "clean":
            files = {k: v for k, v in (await run_in_threadpool(self.engine.files, answers, False)).items() if "/" not in k}
            suffix = "_送付用"
        elif what == "review":
            files = {k: v for k, v in (await run_in_threadpool(self.engine.files, answers, False)).items()
                     if k.startswith(REVIEW_DIR + "/")}
            suffix = "_レビュー用"
        else:
            raise WebError(404, "このダウンロードはありません。")
        folder = f"{base}_第{number}版{suffix}"
        body = zip_set(files, folder)
        return _download(body, f"{folder}.zip", f"keiyaku-{deal.id}-v{number}-{what}.zip")

    async def packet(self, request: Request):
        from contracts.generate import BOARD_PACKET

        deal = _deal(self.store, request.path_params["deal_id"])
        number = request.path_params["number"]
        body = await run_in_threadpool(self.engine.packet, self._answers_of(deal.id, number))
        name = f"{self._base(deal, number)}_第{number}版_{BOARD_PACKET}"
        return _download(body, name, f"keiyaku-{deal.id}-v{number}-packet.pdf")

    async def file(self, request: Request):
        from contracts.generate import BOARD_PACKET

        deal = _deal(self.store, request.path_params["deal_id"])
        number = request.path_params["number"]
        index = request.path_params["index"]
        answers = self._answers_of(deal.id, number)
        names = await run_in_threadpool(self._file_names, answers)
        if index >= len(names):
            raise WebError(404, "このファイルはありません。")
        name = names[index]
        if name == BOARD_PACKET:
            body = await run_in_threadpool(self.engine.packet, answers)
        else:
            body = (await run_in_threadpool(self.engine.files, answers, False))[name]
        shown = name.rsplit("/", 1)[-1]
        ext = Path(shown).suffix
        return _download(body, shown, f"keiyaku-{deal.id}-v{number}-{index}{ext}")

    async def restore(self, request: Request):
        deal = _deal(self.store, request.path_params["deal_id"])
        form = await _form(request)
        rev = _int(form.get("_rev"), "編集の版（_rev）")
        v = _version(self.store, deal.id, request.path_params["number"])
        draft = Q.flatten(v.answers)
        title, search = describe(v.answers)
        try:
            self.store.update_draft(deal.id, draft, rev, model=v.answers.get("model"), title=title, search=search,
                                    preview=v.answers)
        except Stale:
            raise WebError(409, "この案件の回答は、別のタブ又は別の人が先に変更しています。読み込みは行いませんでした。"
                                "ページを再読み込みしてから、もう一度操作してください。") from None
        return RedirectResponse(f"/deals/{deal.id}", status_code=303)

    async def redline(self, request: Request):
        deal = _deal(self.store, request.path_params["deal_id"])
        if not redline_available():
            raise WebError(404, "変更履歴付きの比較はこのバージョンでは使えません。")
        old_n = _int(request.query_params.get("old"), "比較元の版")
        new_n = _int(request.query_params.get("new"), "比較先の版")
        if old_n == new_n:
            raise WebError(400, "異なる二つの版を選んでください。")
        old, new = self._answers_of(deal.id, old_n), self._answers_of(deal.id, new_n)
        from contracts.redline import build_redline

        result = await run_in_threadpool(build_redline, old, new)
        folder = f"{self._base(deal, new_n)}_第{old_n}版→第{new_n}版_変更履歴"
        body = zip_set(dict(result.files), folder)
        return _download(body, f"{folder}.zip", f"keiyaku-{deal.id}-redline-v{old_n}-v{new_n}.zip")

    def _author(self, request: Request) -> str:
        saved = request.cookies.get(AUTHOR_COOKIE)
        if saved:
            text = unquote(saved)[:MAX_AUTHOR]
            try:
                return _one_line(text, MAX_AUTHOR, "保存者")
            except WebError:
                pass
        return self.default_author


def _without(form, names: tuple[str, ...]):
    class _View:
        def keys(self):
            return [k for k in form.keys() if k not in names]

        def getlist(self, key):
            return form.getlist(key)

    return _View()


def _download(body: bytes, name: str, fallback: str) -> Response:
    return Response(body, media_type=media_type(name), headers={"content-disposition": content_disposition(name, fallback)})


def _os_user() -> str:
    try:
        return getpass.getuser()[:MAX_AUTHOR]
    except Exception:  # noqa: BLE001 - no user name in this environment
        return ""


def redline_available() -> bool:
    """True when contracts.redline (being built beside this front end) offers build_redline."""
    try:
        from contracts.redline import build_redline  # noqa: F401
    except Exception:  # noqa: BLE001 - an absent or broken module: no redline in the UI
        return False
    return True


# --------------------------------------------------------------------------- assembly


def create_app(store: Store, token: str | None = None, check_host: bool = True):
    """The ASGI application: Starlette routes behind the guard (host, token, limits, session, headers)."""
    app = App(store)

    async def on_error(request: Request, exc: Exception):
        if isinstance(exc, WebError):
            return _refuse(request, exc.status, exc.message)
        if isinstance(exc, BodyTooLarge):
            return _refuse(request, 413, "送信された内容が大きすぎます。何も保存していません。")
        if isinstance(exc, HTTPException):
            if exc.status_code == 404:
                return _refuse(request, 404, "このページはありません。")
            if exc.status_code == 405:
                return _refuse(request, 405, "この操作はこのページでは使えません。")
            return _refuse(request, exc.status_code, "リクエストを処理できませんでした。何も保存していません。")
        return _refuse(request, 500, "内部エラーが発生しました。何も保存していません。サーバーの出力を確認してください。")

    routes = [
        Route("/", app.home),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/new", app.start),
        Route("/deals", app.create, methods=["POST"]),
        Route("/import", app.import_file, methods=["POST"]),
        Route("/deals/{deal_id:int}", app.editor),
        Route("/deals/{deal_id:int}/answers", app.update, methods=["POST"]),
        Route("/deals/{deal_id:int}/versions", app.versions),
        Route("/deals/{deal_id:int}/versions/{number:int}", app.version),
        Route("/deals/{deal_id:int}/versions/{number:int}/answers.yaml", app.export_yaml),
        Route("/deals/{deal_id:int}/versions/{number:int}/download/{what:str}.zip", app.download),
        Route("/deals/{deal_id:int}/versions/{number:int}/packet.pdf", app.packet),
        Route("/deals/{deal_id:int}/versions/{number:int}/files/{index:int}", app.file),
        Route("/deals/{deal_id:int}/versions/{number:int}/restore", app.restore, methods=["POST"]),
        Route("/deals/{deal_id:int}/redline", app.redline),
        Mount("/static", StaticFiles(directory=str(views.HERE / "static")), name="static"),
    ]
    handlers = {WebError: on_error, BodyTooLarge: on_error, HTTPException: on_error, Exception: on_error}
    starlette = Starlette(routes=routes, exception_handlers=handlers)
    starlette.state.keiyaku = app
    return Guard(starlette, Settings(secret=store.secret(), token=token, check_host=check_host))
