"""Bilingual labels of the planner (registered with :mod:`cleanfreight._i18n`)."""

from __future__ import annotations

from cleanfreight._i18n import register

register(
    {
        "plan.ratio_before": ("Clean ratio before", "现状清洁运输比例"),
        "plan.ratio_after": ("Clean ratio after", "规划后清洁运输比例"),
        "plan.shortfall_t": ("Shortfall (t)", "缺口(吨)"),
        "plan.trucks_new": ("New NE trucks", "新增新能源货车"),
        "plan.delta_cost": ("Change in cost (CNY/yr)", "成本变化(元/年)"),
        "plan.delta_co2": ("Change in CO2 (t/yr)", "二氧化碳变化(吨/年)"),
        "plan.objective": ("Objective (CNY/yr)", "目标函数(元/年)"),
        "plan.status": ("Status", "求解状态"),
        "plan.compare": ("Scenario comparison", "情景对比"),
        "plan.rail_lines": ("Rail line use", "铁路干线运力利用率"),
        "plan.ne_share": ("New-energy trucks' share of the shortfall", "新能源货车承担缺口比例"),
        "plan.ne_missing": ("missing", "未满足"),
        # shortfall reasons: {amount} and {unit} are filled in
        "why.station_handling": (
            "freight station {id} handling capacity is full: {amount} t/yr more would be needed",
            "货运站{id}装卸能力已满：还需增加{amount}吨/年",
        ),
        "why.station_hours": (
            "loading hours at freight station {id} are full: {amount} t/yr more would be needed",
            "货运站{id}装车作业时间已满：还需增加{amount}吨/年",
        ),
        "why.corridor": (
            "rail corridor {id} is full: {amount} t/yr more capacity would be needed",
            "铁路通道{id}运力已满：还需增加{amount}吨/年",
        ),
        "why.rail_line": (
            "rail line {id} is full: {amount} t/yr more capacity would be needed",
            "铁路干线{id}运力已满：还需增加{amount}吨/年",
        ),
        "why.zone": (
            "the truck ban in restriction zone {id} limits the trucks it bans: {amount} t/yr more would be needed",
            "限行区{id}禁行时段限制了受限货车：还需增加{amount}吨/年",
        ),
        "why.ne_share": (
            "new-energy trucks carry {amount} t/yr less than the rule's {share} % of the shortfall "
            "(no new-energy truck chain: direct road over {km} km or not allowed)",
            "新能源货车承运量比规定的缺口{share}%少{amount}吨/年（无可用的新能源货车运输：直达距离超过{km}公里或不允许）",
        ),
        "why.spur_capacity": (
            "spur {id} is full: {amount} t/yr more capacity would be needed",
            "专用线{id}能力已满：还需增加{amount}吨/年",
        ),
        "why.conveyor_capacity": (
            "conveyor {id} is full: {amount} t/yr more capacity would be needed",
            "皮带/管道{id}能力已满：还需增加{amount}吨/年",
        ),
        "why.swap": (
            "battery-swap station {id} is full: {amount} more swaps per year would be needed",
            "换电站{id}能力已满：每年还需增加{amount}次换电",
        ),
        "why.budget": (
            "the capital budget is spent: {amount} CNY more would be needed",
            "投资预算已用完：还需增加{amount}元",
        ),
        "why.spur_not_built": (
            "the planned spur {id} is not built in this plan; building it ({amount} CNY) fixes the shortfall",
            "规划专用线{id}未建设；建设该专用线（{amount}元）即可补足缺口",
        ),
        "why.spur_excluded": (
            "the spur {id} is excluded by the scenario; allowing it ({amount} CNY) fixes the shortfall",
            "情景排除了专用线{id}；允许建设（{amount}元）即可补足缺口",
        ),
        "why.no_chain": (
            "no clean chain can carry {amount} t/yr: no freight station within {km} km and no spur or conveyor",
            "没有可用的清洁运输方式承运{amount}吨/年：{km}公里内无铁路货运站，也无专用线或皮带",
        ),
        "why.penalty": (
            "meeting the target costs more than the shortfall penalty ({amount} CNY/t extra); "
            "raise the penalty or use hard targets",
            "达标成本高于缺口罚金（每吨多{amount}元）；提高罚金或改为硬约束",
        ),
        "why.unplannable": (
            "flow {id} has no allowed chain (check allowed_modes and the rail-only rule)",
            "运输流{id}没有可选的运输方式（请检查允许的方式和铁路运输规定）",
        ),
        "fix.station_handling": ("expand the handling capacity of station {id}", "扩大货运站{id}装卸能力"),
        "fix.station_hours": ("extend the loading hours of station {id}", "延长货运站{id}装车作业时间"),
        "fix.corridor": ("raise the capacity of rail corridor {id}", "提升铁路通道{id}运力"),
        "fix.rail_line": ("raise the capacity available on rail line {id}", "提升铁路干线{id}可用运力"),
        "fix.zone": (
            "new-energy trucks (exempt) or rail for this enterprise",
            "该企业改用新能源货车（豁免）或铁路",
        ),
        "fix.ne_share": (
            "allow new-energy trucks direct for this enterprise (ne_direct_max_km, allowed_modes)",
            "允许该企业使用新能源货车直达（ne_direct_max_km、allowed_modes）",
        ),
        "fix.spur_capacity": ("expand spur {id}", "扩能专用线{id}"),
        "fix.conveyor_capacity": ("expand conveyor {id}", "扩能皮带/管道{id}"),
        "fix.swap": ("add swap capacity at {id}", "增加换电站{id}换电能力"),
        "fix.budget": ("raise the capital budget", "提高投资预算"),
        "fix.spur_not_built": ("build spur {id}", "建设专用线{id}"),
        "fix.spur_excluded": ("allow spur {id}", "允许建设专用线{id}"),
        "fix.no_chain": ("build a spur or a conveyor", "建设专用线或皮带"),
        "fix.penalty": ("raise the shortfall penalty", "提高缺口罚金"),
        "fix.unplannable": ("allow a chain for this flow", "为该运输流允许运输方式"),
        "why.backslide": (
            "its clean ratio would fall below today's {amount} t short of its current level (no backsliding)",
            "清洁运输比例将低于现状，差{amount}吨（不得倒退）",
        ),
        "fix.backslide": ("raise the capacity its clean chains use", "提升其清洁运输方式所用运力"),
        "why.rail_fell": (
            "its rail tonnes fall {amount} t below today's (rail must not fall)",
            "铁路运量比现状减少{amount}吨（铁路运量不得下降）",
        ),
        "fix.rail_fell": ("raise the rail capacity it uses", "提升其所用铁路运力"),
        "why.rail_out": (
            "{amount} t of coal/coke leaving the province cannot go by rail (out-of-province rule)",
            "出省煤炭/焦炭有{amount}吨无法铁路运输（出省煤焦全部铁路运输）",
        ),
        "fix.rail_out": ("raise the rail capacity towards its destination", "提升通往目的地方向的铁路运力"),
        "plan.policy": ("Policy rules", "政策规则"),
        "plan.policy_missed": ("Policy rules the plan cannot keep", "规划无法满足的政策规则"),
        "plan.blocked": (
            "warning: {n} flow(s) cannot be moved by any allowed chain within the capacities and keep their "
            "current split ({flows}); the rest is planned",
            "警告：{n} 条运输流在现有能力下没有可行的运输方式，保持现状（{flows}）；其余照常规划",
        ),
        "policy.target": ("clean-ratio target", "清洁运输比例目标"),
        "policy.no_backsliding": ("no backsliding", "不得倒退"),
        "policy.rail_no_decrease": ("rail does not fall", "铁路运量不下降"),
        "policy.out_of_province_by_rail": ("coal/coke out of the province by rail", "出省煤焦铁路运输"),
        "policy.short_haul_max_km": ("short-haul distance", "短驳距离"),
        "policy.city_rail_share_min": ("city rail share", "全市铁路运输比例"),
        "policy.city_clean_ratio_min": ("city clean-ratio level", "全市清洁运输比例水平"),
        "plan.rail_before": ("Rail t before", "现状铁路运量(吨)"),
        "plan.rail_after": ("Rail t after", "规划后铁路运量(吨)"),
    }
)

# what the plan minimises (``plan --objective``)
register(
    {
        "plan.objective_kind": ("Plan minimises", "规划目标"),
        "objective.cost": ("least annual cost", "年成本最低"),
        "objective.clean": ("most clean tonnes first, then cost", "清洁运量最大优先，其次成本"),
        "objective.co2": ("least CO2 first, then cost", "二氧化碳最少优先，其次成本"),
        "objective.social": (
            "least social cost: cost + CO2, NOx and PM2.5 damage", "社会成本最低：成本+二氧化碳、氮氧化物和PM2.5损害"
        ),
    }
)
