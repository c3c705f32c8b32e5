"""The browser pages: login, the bureau's dashboard, an enterprise's own page and its upload.

Server-rendered HTML, Chinese by default (``?lang=en`` switches, remembered in a cookie), no script
and no external asset: the pages work on an intranet without internet. Forms carry a CSRF token:
the login form a double-submit cookie, the other forms the session's own secret.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import secrets
import tempfile
import threading
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cleanfreight.errors import InputError
from cleanfreight.server import _i18n, _ledger, _push
from cleanfreight.server._context import (
    LANG_COOKIE,
    PRELOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Context,
    Ctx,
    client_of,
)
from cleanfreight.server.accounts import (
    ROLES,
    Session,
    add_user,
    authenticate,
    issue_token,
    list_users,
    resolve_token,
    revoke_token,
)
from cleanfreight.server.reports import current_period, scoped_anomalies, scoped_report

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

_UPLOAD_SUFFIXES = (".csv", ".xlsx")
#: an XLSX may expand to at most this many times the upload limit (zip bombs)
_XLSX_EXPANSION = 10


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _lang(request: Request, ctx: Context) -> str:
    q = request.query_params.get("lang")
    if q in _i18n.LANGS:
        return q
    c = request.cookies.get(LANG_COOKIE)
    return c if c in _i18n.LANGS else ctx.settings.lang


def _pct(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v):.1%}"  # type: ignore[arg-type]


def _num(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v):,.0f}"  # type: ignore[arg-type]


def _render(request: Request, ctx: Context, template: str, status_code: int = 200, **data: Any) -> HTMLResponse:
    lang = _lang(request, ctx)
    data.setdefault("user", None)
    data.setdefault("csrf", "")
    html = _env().get_template(template).render(
        lang=lang, t=lambda key, **kw: _i18n.t(key, lang, **kw), pct=_pct, num=_num, **data
    )
    resp = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in _i18n.LANGS:
        resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return resp


def _session(request: Request, ctx: Context) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    return resolve_token(ctx.store, token, kind="web") if token else None


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def _bureau_session(request: Request, ctx: Context) -> tuple[Session, str] | Response:
    """The signed-in bureau user's session and language, or what to answer instead (login, 403)."""
    s = _session(request, ctx)
    if s is None:
        return _to_login()
    lang = _lang(request, ctx)
    if s.user.role != "bureau":
        return _render(request, ctx, "error.html", 403, user=s.user, csrf=s.csrf, error=_i18n.t("forbidden", lang))
    return s, lang


def _csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def _home(role: str) -> str:
    return "/dashboard" if role == "bureau" else "/enterprise"


@router.get("/")
def index(request: Request, ctx: Ctx) -> Response:
    s = _session(request, ctx)
    return RedirectResponse(_home(s.user.role) if s else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, ctx: Ctx) -> Response:
    s = _session(request, ctx)
    if s is not None:
        return RedirectResponse(_home(s.user.role), status_code=303)
    return _login_form(request, ctx)


def _login_form(request: Request, ctx: Context, error: str | None = None, username: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    resp = _render(request, ctx, "login.html", status_code, login_csrf=token, error=error, username=username)
    resp.set_cookie(PRELOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                    secure=ctx.settings.secure_cookies)
    return resp


@router.post("/login")
def login(
    request: Request,
    ctx: Ctx,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    lang = _lang(request, ctx)
    if not _csrf_ok(request.cookies.get(PRELOGIN_CSRF_COOKIE), csrf):
        return _login_form(request, ctx, _i18n.t("csrf_failed", lang), username, 403)
    client = client_of(request)
    keys = (f"user:{username}", f"ip:{client}")
    if ctx.throttle.retry_after(*keys):
        return _login_form(request, ctx, _i18n.t("login_throttled", lang), username, 429)
    user = authenticate(ctx.store, username, password)
    if user is None:
        ctx.throttle.failed(*keys)
        ctx.store.audit(username, "login.failed", None, "web", client)
        return _login_form(request, ctx, _i18n.t("login_failed", lang), username, 401)
    if user.role == "device":
        return _login_form(request, ctx, _i18n.t("device_no_login", lang), username, 403)
    ctx.throttle.succeeded(keys[0])
    token, _ = issue_token(ctx.store, user, kind="web", ttl_s=ctx.settings.session_ttl_s)
    ctx.store.audit(user.name, "login", user.enterprise_id, "web", client)
    resp = RedirectResponse(_home(user.role), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, max_age=ctx.settings.session_ttl_s, httponly=True, samesite="strict",
                    secure=ctx.settings.secure_cookies)
    resp.delete_cookie(PRELOGIN_CSRF_COOKIE)
    return resp


@router.post("/logout")
def logout(request: Request, ctx: Ctx, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    s = _session(request, ctx)
    if s is not None and _csrf_ok(s.csrf, csrf):
        revoke_token(ctx.store, request.cookies.get(SESSION_COOKIE, ""))
        ctx.store.audit(s.user.name, "logout", s.user.enterprise_id, "web", client_of(request))
    resp = _to_login()
    resp.delete_cookie(SESSION_COOKIE)
    return resp


def _gates(ctx: Context, enterprise_id: str | None) -> list[dict[str, Any]]:
    """Gate status with today's heartbeat completeness."""
    from datetime import date

    gates = _push.gate_status(ctx.store, ctx.settings.heartbeat_offline_s, enterprise_id)
    comp = {(c["enterprise_id"], c["gate"]): c["completeness"]
            for c in _push.completeness(ctx.store, date.today(), ctx.settings.heartbeat_interval_s, enterprise_id)}
    for g in gates:
        g["completeness"] = comp.get((g["enterprise_id"], g["gate"]))
    return gates


def _period(request: Request) -> str:
    p = request.query_params.get("period") or current_period()
    return p if re.fullmatch(r"\d{4}-\d{2}", p) else current_period()


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, ctx: Ctx) -> Response:
    got = _bureau_session(request, ctx)
    if isinstance(got, Response):
        return got
    s, lang = got
    period = _period(request)
    rep = scoped_report(ctx, s.user, period)
    found = scoped_anomalies(ctx, s.user, period, lang)
    gates = _gates(ctx, None)
    names = _ledger.enterprise_names(ctx.settings.roster)
    by_id = {str(e["enterprise_id"]): e for e in rep["enterprises"]}
    # who did not report this month: the ledger's coverage rule (own gate / meter records; waybills alone
    # are not a report), else no records at all
    cov = rep.get("coverage") or {}
    not_reported = {str(x) for m in cov.get("by_month", []) for x in (m.get("not_reported") or [])}
    rows = []
    for eid in sorted(set(names) | set(by_id)):
        e = by_id.get(eid, {})
        total = e.get("tonnes_total") or 0.0
        g = [x for x in gates if x["enterprise_id"] == eid]
        zh, en = names.get(eid, (str(e.get("name_zh") or ""), str(e.get("name_en") or "")))
        rows.append({
            "enterprise_id": eid,
            "name": zh if lang == "zh" else en,
            "rank": e.get("rank"),
            "clean_ratio": e.get("clean_ratio") if total else None,
            "rail_share": (e.get("tonnes_rail", 0.0) / total) if total else None,
            "meets": bool(e.get("meets_target")),
            "reported": eid not in not_reported if cov else bool(e.get("records")),
            "gates": len(g),
            "gates_online": sum(1 for x in g if x["online"]),
            "tonnes_total": total,
            "plan_ratio": e.get("plan_ratio"),
            "anomalies": sum(1 for a in found if a.get("enterprise_id") == eid and a.get("severity") != "info"),
        })
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["enterprise_id"]))
    city = rep["city"]
    ratio = city.get("clean_ratio")
    with ctx.store.use() as led:
        by_month = {m["month"]: m for m in _ledger.city_trend(led, f"{period[:4]}-01", period, rules=ctx.settings.rules)}
    months = [f"{period[:4]}-{m:02d}" for m in range(1, int(period[5:]) + 1)]
    trend = [by_month.get(m, {"month": m, "clean_ratio": None, "tonnes_total": 0.0}) for m in months]
    return _render(
        request, ctx, "dashboard.html", user=s.user, csrf=s.csrf, period=period, city=city, rows=rows,
        city_ok=ratio is not None and ratio >= city["target"], gates=gates,
        online=sum(1 for g in gates if g["online"]), reported=sum(1 for r in rows if r["reported"]),
        offline_minutes=ctx.settings.heartbeat_offline_s // 60, trend=trend,
        anomalies=sorted(found, key=lambda a: ({"error": 0, "warning": 1}.get(str(a.get("severity")), 2),
                                               str(a.get("enterprise_id")), str(a.get("day"))))[:200],
        anomalies_total=len(found), has_plan=ctx.settings.plan is not None,
    )


@router.get("/report.xlsx")
def report_xlsx(request: Request, ctx: Ctx) -> Response:
    """The period's report workbook (``cleanfreight ledger report --out``), bureau only."""
    got = _bureau_session(request, ctx)
    if isinstance(got, Response):
        return got
    s, lang = got
    period = _period(request)
    with ctx.store.use() as led:
        name, data = _ledger.report_workbook(led, period, rules=ctx.settings.rules, roster_name=ctx.settings.roster,
                                             lang=lang, plan=ctx.settings.plan)
    ctx.store.audit(s.user.name, "report.download", None, name, client_of(request))
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


#: the map page runs Leaflet inline: scripts allowed from the page itself, nothing from elsewhere
_MAP_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, ctx: Ctx) -> Response:
    """The offline map of the period: every enterprise coloured by its ratio (an enterprise sees its own)."""
    s = _session(request, ctx)
    if s is None:
        return _to_login()
    lang = _lang(request, ctx)
    if s.user.role not in ("bureau", "enterprise"):  # pragma: no cover - devices cannot log in
        return _render(request, ctx, "error.html", 403, user=s.user, csrf=s.csrf, error=_i18n.t("forbidden", lang))
    period = _period(request)
    rep = scoped_report(ctx, s.user, period)
    html = _with_back_link(_offline_map(ctx, rep, period, lang), s.user.role, period, lang)
    return HTMLResponse(html, headers={"content-security-policy": _MAP_CSP})


def _with_back_link(html: str, role: str, period: str, lang: str) -> str:
    """The map page with a link back to the dashboard (an enterprise: to its own page), above the map."""
    from html import escape

    target, label = (("/dashboard", "back_dashboard") if role == "bureau" else ("/enterprise", "back_enterprise"))
    link = (f'<a id="back-link" href="{target}?period={escape(period)}&amp;lang={lang}" style="position:fixed;'
            "top:10px;left:54px;z-index:1000;background:#14532d;color:#fff;padding:6px 12px;border-radius:4px;"
            'font:14px sans-serif;text-decoration:none;box-shadow:0 1px 3px rgba(0,0,0,.3)">'
            f"&larr; {escape(_i18n.t(label, lang))}</a>")
    at = html.rfind("</body>")
    return html[:at] + link + html[at:] if at >= 0 else html + link


def _offline_map(ctx: Context, rep: dict[str, Any], period: str, lang: str) -> str:
    import json

    from cleanfreight.reports import (
        MapLayers,
        enterprise_points,
        make_map,
        report_table,
        sample_layers,
        save_map,
    )

    ros = _ledger.roster(ctx.settings.roster)
    with tempfile.TemporaryDirectory(prefix="cleanfreight-map-") as tmp:
        path = Path(tmp) / "report.json"
        path.write_text(json.dumps(rep, ensure_ascii=False, default=str), encoding="utf-8")
        if ros is None or not rep["enterprises"]:
            layers = sample_layers(roads=False) if ctx.settings.roster == "sample" else MapLayers()
        else:
            table = report_table(path, ros.enterprises)
            layers = (sample_layers(enterprises=table, roads=False) if ctx.settings.roster == "sample"
                      else MapLayers(enterprises=enterprise_points(table)))
        target = float(rep["city"].get("target", 0.8))
        m = make_map(layers, lang=lang, target=target, subtitle=period)
        return save_map(m, Path(tmp) / "map.html").read_text(encoding="utf-8")


_BRIEFING_LOCK = threading.Lock()  # matplotlib's pyplot is not thread-safe


@router.get("/briefing.pdf")
def briefing_pdf(request: Request, ctx: Ctx) -> Response:
    """The one-page briefing of ``cleanfreight brief`` for the period (bureau only)."""
    import json

    from cleanfreight.reports import RenderParams, make_briefing, report_table, sample_layers

    got = _bureau_session(request, ctx)
    if isinstance(got, Response):
        return got
    s, lang = got
    period = _period(request)
    rep = scoped_report(ctx, s.user, period)
    ros = _ledger.roster(ctx.settings.roster)
    if ros is None or not rep["enterprises"]:
        return _render(request, ctx, "error.html", 404, user=s.user, csrf=s.csrf, error=_i18n.t("no_data", lang))
    with ctx.store.use() as led:
        monthly = _ledger.enterprise_trend(led, f"{period[:4]}-01", period, rules=ctx.settings.rules)
    with tempfile.TemporaryDirectory(prefix="cleanfreight-brief-") as tmp, _BRIEFING_LOCK:
        path = Path(tmp) / "report.json"
        path.write_text(json.dumps(rep, ensure_ascii=False, default=str), encoding="utf-8")
        table = report_table(path, ros.enterprises)
        layers = sample_layers(enterprises=table, roads=False) if ctx.settings.roster == "sample" else None
        options = RenderParams(lang=lang, target=float(rep["city"]["target"]), period=period,
                                rulebook=str(rep["rulebook"].get("name", "")))
        pdf = Path(tmp) / f"briefing_{period}.pdf"
        make_briefing(table, pdf, monthly=monthly, layers=layers, options=options)
        data = pdf.read_bytes()
    ctx.store.audit(s.user.name, "briefing.download", None, pdf.name, client_of(request))
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{pdf.name}"'})


@router.get("/enterprise", response_class=HTMLResponse)
def enterprise_page(request: Request, ctx: Ctx) -> Response:
    s = _session(request, ctx)
    if s is None:
        return _to_login()
    if s.user.role != "enterprise":
        return RedirectResponse(_home(s.user.role), status_code=303)
    lang = _lang(request, ctx)
    period = _period(request)
    rep = scoped_report(ctx, s.user, period)
    row = rep["enterprises"][0] if rep["enterprises"] else None
    zh, en = _ledger.enterprise_names(ctx.settings.roster).get(s.user.enterprise_id or "", ("", ""))
    return _render(
        request, ctx, "enterprise.html", user=s.user, csrf=s.csrf, period=period, row=row,
        target=rep["city"]["target"], ent_name=zh if lang == "zh" else en,
        gates=_gates(ctx, s.user.enterprise_id),
        offline_minutes=ctx.settings.heartbeat_offline_s // 60,
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, ctx: Ctx) -> Response:
    s = _session(request, ctx)
    if s is None:
        return _to_login()
    if s.user.role not in ("enterprise", "bureau"):  # pragma: no cover - devices cannot log in
        lang = _lang(request, ctx)
        return _render(request, ctx, "error.html", 403, user=s.user, csrf=s.csrf, error=_i18n.t("forbidden", lang))
    return _render(request, ctx, "upload.html", user=s.user, csrf=s.csrf, result=None, error=None)


def safe_name(name: str | None) -> str | None:
    """The upload's base name with only safe characters, or ``None`` when it is not a .csv / .xlsx file."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", base).lstrip(".")[:100]
    if not base or Path(base).suffix.lower() not in _UPLOAD_SUFFIXES:
        return None
    return base


def _xlsx_too_big(path: Path, limit: int) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return sum(i.file_size for i in z.infolist()) > limit
    except zipfile.BadZipFile:
        return False  # the reader reports it as an unreadable file


@router.post("/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    ctx: Ctx,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form(max_length=128)] = "",
    enterprise_id: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    s = _session(request, ctx)
    if s is None:
        return _to_login()
    lang = _lang(request, ctx)

    def fail(key_or_text: str, code: int) -> HTMLResponse:
        text = _i18n.t(key_or_text, lang) if key_or_text in _i18n.TEXT else key_or_text
        return _render(request, ctx, "upload.html", code, user=s.user, csrf=s.csrf, result=None, error=text)

    if s.user.role not in ("enterprise", "bureau"):  # pragma: no cover - devices cannot log in
        return _render(request, ctx, "error.html", 403, user=s.user, csrf=s.csrf, error=_i18n.t("forbidden", lang))
    if not _csrf_ok(s.csrf, csrf):
        return fail("csrf_failed", 403)
    name = safe_name(file.filename)
    if name is None:
        return fail("bad_file", 400)
    # an enterprise uploads its own exports; the bureau names the enterprise it uploads for
    ent = s.user.enterprise_id
    if s.user.role == "bureau":
        ent = enterprise_id.strip().upper()
        if not re.fullmatch(r"[A-Z0-9_-]{1,32}", ent):
            return fail("enterprise_needed", 400)
    client = client_of(request)
    with tempfile.TemporaryDirectory(prefix="cleanfreight-upload-") as tmp:
        path = Path(tmp) / name
        size = 0
        with path.open("wb") as fh:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > ctx.settings.max_upload_bytes:
                    return fail("too_large", 413)
                fh.write(chunk)
        if size == 0:
            return fail("empty_file", 400)
        if path.suffix.lower() == ".xlsx" and _xlsx_too_big(path, _XLSX_EXPANSION * ctx.settings.max_upload_bytes):
            ctx.store.audit(s.user.name, "upload.refused", ent, f"{name}: xlsx expands too far", client)
            return fail("zip_bomb", 400)
        try:
            with ctx.store.use() as led:
                res = _ledger.import_files(led, [path], enterprise=ent, only_enterprise=ent)
                f = res.files[0]
                rejects = _ledger.file_rejects(led, [f.import_id])
        except InputError as exc:
            ctx.store.audit(s.user.name, "upload.failed", ent, f"{name}: {exc.summary}", client)
            problems = [_i18n.reason(p.message, lang) for p in exc.problems] or [exc.summary]
            return fail(_i18n.t("upload_failed", lang) + "\n" + "\n".join(problems), 400)
    ctx.store.audit(s.user.name, "upload", ent,
                    f"{name}: accepted={f.accepted} rejected={f.rejected} duplicates={f.duplicates}", client)
    for r in rejects:
        r["reason"] = _i18n.reason(r["reason"], lang)
        r["column"] = _i18n.field(r["column"], lang)
    result = {"file": name, "accepted": f.accepted, "rejected": f.rejected, "duplicates": f.duplicates,
              "rejects": rejects}
    return _render(request, ctx, "upload.html", user=s.user, csrf=s.csrf, result=result, error=None)


def _accounts_page(request: Request, ctx: Context, s: Session, status_code: int = 200, error: str | None = None,
                   message: str | None = None) -> HTMLResponse:
    rows = ctx.store.query(
        "SELECT ts, username, action, target, detail, client FROM srv_audit ORDER BY id DESC LIMIT 200"
    )
    keys = ("ts", "username", "action", "target", "detail", "client")
    lang = _lang(request, ctx)
    audit = [dict(zip(keys, (r[0].isoformat(sep=" ", timespec="seconds"), r[1], _i18n.audit_action(r[2], lang), r[3],
                             _i18n.audit_detail(r[4], lang), r[5]), strict=True)) for r in rows]
    return _render(request, ctx, "accounts.html", status_code, user=s.user, csrf=s.csrf, users=list_users(ctx.store),
                   roles=ROLES, audit=audit, error=error, message=message)


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, ctx: Ctx) -> Response:
    got = _bureau_session(request, ctx)
    if isinstance(got, Response):
        return got
    s, _ = got
    return _accounts_page(request, ctx, s)


@router.post("/accounts", response_class=HTMLResponse)
def accounts_add(
    request: Request,
    ctx: Ctx,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=256)],
    enterprise_id: Annotated[str, Form(max_length=32)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    got = _bureau_session(request, ctx)
    if isinstance(got, Response):
        return got
    s, lang = got
    if not _csrf_ok(s.csrf, csrf):
        return _accounts_page(request, ctx, s, 403, error=_i18n.t("csrf_failed", lang))
    try:
        u = add_user(ctx.store, name, password, role, enterprise_id.strip() or None, actor=s.user.name)
    except InputError as exc:
        return _accounts_page(request, ctx, s, 400, error=str(exc))
    ctx.store.audit(s.user.name, "user.add.web", u.name, None, client_of(request))
    return _accounts_page(request, ctx, s, message=_i18n.t("account_saved", lang, name=u.name))
