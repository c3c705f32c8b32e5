"""Words of the platform's pages in Chinese (default) and English, and the ledger's reasons in Chinese."""

from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("长治市清洁运输监管平台", "Changzhi clean-transport platform"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误", "Wrong user name or password"),
    "login_throttled": ("登录失败次数过多，请稍后再试", "Too many failed logins; try again later"),
    "device_no_login": ("门禁设备账号不能登录网页", "Gate device accounts cannot log in to the pages"),
    "csrf_failed": ("表单已过期，请刷新页面后重试", "The form has expired; reload the page and try again"),
    "dashboard": ("监管看板", "Dashboard"),
    "my_enterprise": ("本企业", "My enterprise"),
    "upload": ("上传台账", "Upload exports"),
    "period": ("统计期", "Period"),
    "period_hint": ("年-月，如 2026-03；也可 2026-Q1、2026", "Year-month, e.g. 2026-03; also 2026-Q1, 2026"),
    "show": ("查看", "Show"),
    "city_ratio": ("全市清洁运输比例", "City clean-transport ratio"),
    "target": ("目标", "Target"),
    "meeting": ("达标企业", "Enterprises meeting the target"),
    "tonnes_total": ("进出厂总量（吨）", "Tonnes in and out"),
    "enterprises": ("企业", "Enterprises"),
    "accounts": ("账号", "Accounts"),
    "accounts_audit": ("账号与审计", "Accounts and audit"),
    "add_account": ("新建账号 / 重置密码", "Add an account / reset a password"),
    "role": ("角色", "Role"),
    "save": ("保存", "Save"),
    "account_saved": ("账号 {name} 已保存", "Account {name} saved"),
    "audit": ("审计日志（最近 200 条）", "Audit log (last 200 entries)"),
    "time": ("时间", "Time"),
    "action": ("操作", "Action"),
    "audit_target": ("对象", "Target"),
    "client": ("来源地址", "Client address"),
    "briefing": ("本期简报（PDF）", "Briefing of the period (PDF)"),
    "map": ("离线地图", "Offline map"),
    "download_xlsx": ("下载本期报表（Excel）", "Download this period's report (Excel)"),
    "plan_ratio": ("规划比例", "Planned ratio"),
    "anomalies": ("异常", "Anomalies"),
    "anomalies_title": ("台账核查发现的异常", "Anomalies found by the ledger checks"),
    "severity": ("级别", "Severity"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
    "severity.info": ("提示", "info"),
    "check": ("核查项", "Check"),
    "day": ("日期", "Day"),
    "plate": ("车牌", "Plate"),
    "records": ("记录数", "Records"),
    "detail": ("说明", "Detail"),
    "trend": ("全市清洁运输比例逐月变化", "City clean ratio month by month"),
    "rank": ("排名", "Rank"),
    "enterprise": ("企业", "Enterprise"),
    "clean_ratio": ("清洁运输比例", "Clean ratio"),
    "rail_share": ("铁路占比", "Rail share"),
    "ratio_not_target": ("比例已达 80%，但其他规则未满足（如煤炭/焦炭公路出省）",
                         "Ratio reached, another rule not met (e.g. coal or coke out of the province by road)"),
    "meets": ("是否达标", "Meets target"),
    "reported": ("本期已报送", "Reported this period"),
    "gates_online": ("门禁在线", "Gates online"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "not_reported": ("未报送", "not reported"),
    "no_data": ("本期无数据", "No data for this period"),
    "gates": ("门禁状态", "Gates"),
    "gate": ("门禁", "Gate"),
    "last_heartbeat": ("最近心跳", "Last heartbeat"),
    "status": ("状态", "Status"),
    "online": ("在线", "online"),
    "offline": ("离线", "offline"),
    "completeness": ("今日心跳完整率（目标 95%）", "Heartbeat completeness today (target 95 %)"),
    "passages": ("推送记录数", "Passages pushed"),
    "no_gates": ("尚无门禁接入", "No gate has reported yet"),
    "offline_rule": ("超过 {minutes} 分钟无心跳视为离线", "offline after {minutes} min without a heartbeat"),
    "file": ("文件", "File"),
    "choose_file": ("选择门禁 / 地磅 / 铁路货票导出文件（CSV 或 XLSX）",
                    "Choose a gate / weighbridge / rail waybill export (CSV or XLSX)"),
    "submit_upload": ("上传并导入", "Upload and import"),
    "upload_for": ("代企业上传：企业编号", "Upload for enterprise (id)"),
    "enterprise_needed": ("请填写企业编号（字母、数字、_ -）", "Give the enterprise id (letters, digits, _ -)"),
    "accepted": ("已接收", "Accepted"),
    "rejected": ("已拒收", "Rejected"),
    "duplicates": ("重复", "Duplicates"),
    "rejected_rows": ("拒收行及原因", "Rejected rows and reasons"),
    "row": ("行号", "Row"),
    "column": ("列", "Column"),
    "value": ("值", "Value"),
    "reason": ("原因", "Reason"),
    "upload_failed": ("文件无法导入", "The file cannot be imported"),
    "bad_file": ("仅接受 .csv 或 .xlsx 文件", "Only .csv or .xlsx files are accepted"),
    "too_large": ("文件过大", "The file is too large"),
    "zip_bomb": ("XLSX 文件解压后过大，已拒收", "The XLSX file expands to too much data and was refused"),
    "empty_file": ("文件为空", "The file is empty"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "role.bureau": ("交通运输局", "bureau"),
    "role.enterprise": ("企业", "enterprise"),
    "role.device": ("门禁设备", "gate device"),
    "forbidden": ("无权访问此页面", "You may not open this page"),
    "ranking_note": ("按清洁运输比例排名", "Ranked by clean-transport ratio"),
    "back_dashboard": ("返回监管看板", "Back to the dashboard"),
    "back_enterprise": ("返回本企业", "Back to my enterprise"),
}

#: ledger reject reasons (English, from the ledger's checks) -> Chinese; matched as prefixes
_REASONS: tuple[tuple[str, str], ...] = (
    ("unreadable or missing timestamp", "时间缺失或无法识别"),
    ("timestamp outside", "时间超出允许年份"),
    ("no enterprise id", "缺少企业编号"),
    ("unknown direction", "进出方向无法识别，应为 进/出"),
    ("unknown unit", "计量单位无法识别，应为 吨 或 千克"),
    ("quantity missing or not a number", "运输量缺失或不是数字"),
    ("quantity must be greater than 0", "运输量必须大于 0"),
    ("counter reading must not be negative", "累计读数不能为负"),
    ("load above", "载重超出货车可能的最大值"),
    ("missing plate", "缺少车牌号码"),
    ("invalid plate", "车牌号码格式错误，应如 晋D12345"),
    ("unknown emission stage", "排放阶段无法识别，应为 0-6 或 d（电动）"),
    ("cannot tell conveyor or pipeline", "无法判断是皮带还是管道"),
    ("record of another enterprise", "属于其他企业的记录，本账号只能导入本企业数据"),
    ("missing or invalid serial", "流水号缺失或格式错误"),
    ("empty record", "空记录"),
)


#: audit-log actions (stored in English) -> Chinese
AUDIT_ACTIONS_ZH: dict[str, str] = {
    "login": "登录", "login.failed": "登录失败", "logout": "退出", "token.issued": "签发令牌",
    "user.add": "保存账号", "user.add.web": "网页保存账号", "user.add.api": "接口保存账号",
    "passages.push": "推送过车记录", "cargo.push": "补传货物记录", "upload": "上传台账",
    "upload.failed": "上传失败", "upload.refused": "拒收上传", "report.download": "下载报表",
    "briefing.download": "下载简报", "demo.sample": "导入示例数据",
}

#: words of audit-log details (``key=value`` pairs and channels) -> Chinese
_AUDIT_WORDS_ZH: dict[str, str] = {
    "web": "网页", "api": "接口", "role": "角色", "enterprise": "企业", "accepted": "接收", "rejected": "拒收",
    "duplicates": "重复", "waiting": "待补货物", "bureau": "交通运输局", "device": "门禁设备",
    "xlsx expands too far": "XLSX 解压后过大",
}


def audit_action(action: str, lang: str) -> str:
    """An audit-log action in the page's language."""
    return AUDIT_ACTIONS_ZH.get(action, action) if lang == "zh" else action


def audit_detail(detail: str | None, lang: str) -> str:
    """An audit-log detail (``role=device enterprise=CZ01``, ``web`` ...) in the page's language."""
    if not detail or lang != "zh":
        return detail or ""
    import re

    def word(m: re.Match[str]) -> str:
        return _AUDIT_WORDS_ZH.get(m[0], m[0])

    text = re.sub(r"xlsx expands too far", word, detail)
    return re.sub(r"(?<![\w.])(?:web|api|role|enterprise|accepted|rejected|duplicates|waiting|bureau|device)(?![\w.])",
                  word, text)


#: the ledger's field names as a Chinese export heads them
FIELDS_ZH: dict[str, str] = {
    "timestamp": "进出厂时间", "date": "日期", "plate": "车牌号码", "stage": "排放阶段", "cargo": "运输货物名称",
    "tonnes": "运输量", "direction": "进出方向", "unit": "计量单位", "enterprise_id": "企业编号", "vin": "VIN",
    "meter_kind": "输送方式", "counter": "累计量",
}


def field(name: str | None, lang: str) -> str:
    """A field name in the page's language."""
    if not name:
        return ""
    return FIELDS_ZH.get(name, name) if lang == "zh" else name


def t(key: str, lang: str, **kw: object) -> str:
    zh, en = TEXT.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**kw) if kw else text


def reason(text: str, lang: str) -> str:
    """A reject reason in the page's language: the ledger's translation, else the platform's own."""
    if lang != "zh":
        return text
    from cleanfreight.server._ledger import reason_text

    translated = reason_text(text, lang)
    if translated != text:
        return translated
    for prefix, zh in _REASONS:
        if text.startswith(prefix):
            return zh
    return text
