"""Bilingual labels of the maps, briefing and workbook (registered with :mod:`cleanfreight._i18n`)."""

from __future__ import annotations

from cleanfreight._i18n import register, t

__all__ = ["bi", "t"]

register(
    {
        # map layers
        "map.title": ("Clean bulk-freight transport, Changzhi", "长治市大宗货物清洁运输"),
        "map.title_own": ("Clean bulk-freight transport", "大宗货物清洁运输"),
        "map.enterprises": ("Enterprises", "重点企业"),
        "map.rail": ("Rail lines", "铁路干线"),
        "map.spurs": ("Rail spurs", "铁路专用线"),
        "map.spur_existing": ("Spur, existing", "专用线(既有)"),
        "map.spur_planned": ("Spur, planned", "专用线(规划)"),
        "map.stations": ("Freight stations", "铁路货运站"),
        "map.routes": ("Planned routes", "规划运输路线"),
        "map.route_rail": ("Rail leg", "铁路干线运输"),
        "map.route_ne": ("New-energy short-haul", "新能源短驳"),
        "map.route_diesel": ("Remaining diesel trucking", "剩余燃油车运输"),
        "map.route_other": ("Other route", "其他路线"),
        "map.swap_stations": ("Battery swap / charging", "换电/充电站"),
        "map.restriction_zone": ("Heavy-truck restriction zone", "重型货车限行区"),
        "map.boundaries": ("District / county boundaries", "区县边界"),
        "map.area_names": ("District / county names", "区县名称"),
        "map.roads": ("Main roads", "主要道路"),
        "map.legend": ("Legend", "图例"),
        "map.ratio_ok": ("Ratio ≥ target ({target})", "比例 ≥ 目标({target})"),
        "map.ratio_near": ("Ratio {low} – {target}", "比例 {low} – {target}"),
        "map.ratio_low": ("Ratio < {low}", "比例 < {low}"),
        "map.size_note": ("Circle area ∝ annual tonnes", "圆面积与年运量成正比"),
        "map.size_note_period": ("Circle area ∝ tonnes in the period", "圆面积与期间运量成正比"),
        "map.search": ("Search enterprise…", "搜索企业…"),
        "map.search_none": ("No match", "无匹配"),
        "map.fullscreen": ("Full screen", "全屏"),
        "map.tiles_note": ("Base map: project data (no tiles needed)", "底图：项目数据(无需在线瓦片)"),
        "map.tiles_optional": ("Online tiles (optional): {name}", "在线瓦片(可选)：{name}"),
        # fields
        "f.enterprise_id": ("ID", "编号"),
        "f.name_zh": ("Name (zh)", "中文名称"),
        "f.name_en": ("Name (en)", "英文名称"),
        "f.tonnes_total": ("Tonnes", "运量(吨)"),
        "f.tonnes_year": ("Tonnes / yr", "年运量(吨)"),
        "f.tonnes_clean": ("Clean tonnes", "清洁运量(吨)"),
        "f.clean_ratio": ("Clean ratio", "清洁运输比例"),
        "f.ratio_after": ("Ratio after plan", "规划后比例"),
        "f.target": ("Target", "目标"),
        "f.meets": ("Meets target", "是否达标"),
        "f.capacity": ("Capacity (t/yr)", "作业能力(吨/年)"),
        "f.used": ("Used (t/yr)", "已用(吨/年)"),
        "f.used_share": ("Capacity used", "能力利用率"),
        "f.hours": ("Hours", "作业时间"),
        "f.kind": ("Kind", "类型"),
        "f.swaps_per_day": ("Swaps / day", "日换电次数"),
        "f.chargers": ("Chargers", "充电桩数"),
        "f.power_kw": ("Power (kW)", "功率(千瓦)"),
        "f.status": ("Status", "状态"),
        "f.existing": ("existing", "既有"),
        "f.planned": ("planned", "规划"),
        "f.banned_hours": ("Trucks banned", "限行时段"),
        "f.ne_exempt": ("New-energy exempt", "新能源豁免"),
        "f.tonnes": ("Tonnes / yr", "运量(吨/年)"),
        "f.district": ("District", "区县"),
        "f.industry": ("Industry", "行业"),
        "f.period": ("Period", "期间"),
        "f.ratio_before": ("Ratio before", "规划前比例"),
        "f.gap_tonnes": ("Gap to target (t)", "距目标缺口(吨)"),
        "f.shortfall_reason": ("Shortfall reason", "未达标原因"),
        "f.rank": ("Rank", "排名"),
        # briefing / workbook
        "b.title": ("Clean bulk-freight transport briefing", "大宗货物清洁运输情况简报"),
        "b.city_ratio": ("City clean-transport ratio", "全市清洁运输比例"),
        "b.meeting": ("Enterprises at or above target", "达标企业数"),
        "b.total_tonnes": ("Bulk tonnes", "大宗货物运量"),
        "b.recorded_tonnes": ("Recorded bulk tonnes", "记录大宗运量"),
        "b.period": ("period {period}", "期间 {period}"),
        "b.ratio_table": ("Lowest clean-transport ratios", "清洁运输比例最低的企业"),
        "b.bar_title": ("Clean-transport ratio by enterprise", "各企业清洁运输比例"),
        "b.trend_title": ("Monthly trend", "月度趋势"),
        "b.map_title": ("Enterprises and rail network", "企业与铁路网络"),
        "b.no_monthly": (
            "No monthly records: give a ledger (--db) to see the trend.",
            "暂无月度记录：提供台账数据库(--db)后显示趋势。",
        ),
        "b.city_line": ("City (tonnage-weighted)", "全市(按运量加权)"),
        "b.rail_out_missed": (
            "ratio reached, but coal/coke left the province by road",
            "比例已达标，但煤焦公路出省",
        ),
        "b.target_line": ("Target {target}", "目标 {target}"),
        "b.generated": ("Generated {date} · rulebook {rulebook}", "生成日期 {date} · 核算规则 {rulebook}"),
        "b.enterprises_axis": ("Enterprises (sorted by ratio)", "企业(按比例排序)"),
        "b.plan_after": ("After plan", "规划后"),
        "b.mt": ("{value} Mt", "{value} 万吨"),
        "b.scenario": ("Scenario: {scenario}", "情景：{scenario}"),
        "b.incomplete": ("Incomplete coverage (* not every enterprise reported)", "报送不全(*部分企业未报送)"),
        "w.summary": ("Summary", "汇总"),
        "w.enterprises": ("Enterprises", "企业"),
        "w.monthly": ("Monthly", "月度"),
        "w.plan": ("Plan", "规划"),
        "w.item": ("Item", "项目"),
        "w.value": ("Value", "数值"),
        "w.no_plan": (
            "No plan given (run `cleanfreight plan` and pass --plan).",
            "未提供规划(运行 cleanfreight plan 并使用 --plan)。",
        ),
        "w.no_monthly": ("No monthly records (pass --db with a ledger).", "无月度记录(使用 --db 提供台账)。"),
        "w.generated": ("Generated", "生成日期"),
        "w.enterprises_total": ("Enterprises", "企业总数"),
    }
)


def bi(key: str, **fmt: object) -> str:
    """Both languages in one label: ``"English 中文"`` (used where a table is read by both audiences)."""
    en, zh = t(key, "en", **fmt), t(key, "zh", **fmt)
    return en if en == zh else f"{en} {zh}"
