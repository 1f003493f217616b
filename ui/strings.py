"""Every label the window shows, in Simplified Chinese (the default) and English.

One table keyed by a short name; `tr(key)` answers in the current language, which
`set_language` switches (the main window then calls each widget's `retranslate`).
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")

_STRINGS: dict[str, tuple[str, str]] = {
    # window, menus, actions
    "app_title": ("温州图书馆服务网络规划", "Wenzhou Library Network Planner"),
    "menu_file": ("文件(&F)", "&File"),
    "menu_edit": ("编辑(&E)", "&Edit"),
    "menu_view": ("视图(&V)", "&View"),
    "menu_language": ("语言 / Language", "Language / 语言"),
    "new_project": ("新建项目…", "New project…"),
    "open_project": ("打开项目…", "Open project…"),
    "save_project": ("保存修改", "Save changes"),
    "import_layer": ("导入图层…", "Import layer…"),
    "export_map": ("导出地图 HTML…", "Export map HTML…"),
    "export_timetable": ("导出书巴时刻表 XLSX…", "Export bookmobile timetable XLSX…"),
    "export_report": ("导出报告…", "Export report…"),
    "quit": ("退出", "Quit"),
    "undo": ("撤销", "Undo"),
    "redo": ("重做", "Redo"),
    "refresh_map": ("刷新地图", "Refresh map"),
    "lang_zh": ("中文", "中文"),
    "lang_en": ("English", "English"),
    # docks and tabs
    "dock_layers": ("图层", "Layers"),
    "dock_jobs": ("计算", "Analyses"),
    "dock_data": ("数据表", "Data tables"),
    "dock_results": ("结果", "Results"),
    "tab_coverage": ("覆盖分析", "Coverage"),
    "tab_siting": ("选址", "Siting"),
    "tab_bookmobile": ("书巴周计划", "Bookmobile week"),
    "tab_courier": ("通借通还物流", "Courier runs"),
    "tab_compare": ("方案对比", "Compare"),
    "tab_libraries": ("服务点", "Service points"),
    "tab_candidates": ("候选点", "Candidates"),
    "tab_stops": ("书巴停靠点", "Bookmobile stops"),
    "tab_bookmobiles": ("书巴车辆", "Bookmobiles"),
    "tab_vans": ("物流车辆", "Vans"),
    # layer panel
    "layer_tip": (
        "勾选显示或隐藏图层；双击更改颜色",
        "Tick to show or hide a layer; double-click to change its colour",
    ),
    "layer_districts": ("行政区", "Districts"),
    "layer_population": ("人口网格", "Population grid"),
    "layer_libraries": ("图书馆（按类型）", "Libraries (by kind)"),
    "layer_candidates": ("候选点", "Candidate sites"),
    "layer_selected": ("新选址", "New sites"),
    "layer_stops": ("书巴停靠点", "Bookmobile stops"),
    "layer_bookmobile_routes": ("书巴路线", "Bookmobile routes"),
    "layer_courier_routes": ("物流路线", "Courier routes"),
    "kind_central": ("中心馆", "Central library"),
    "kind_district": ("县（市、区）总馆", "District library"),
    "kind_branch": ("分馆", "Branch"),
    "kind_study_room": ("城市书房", "24-h study room"),
    "kind_station": ("城市书站", "Book station"),
    "kind_school": ("学校图书馆", "School library"),
    "kind_bookmobile_stop": ("书巴停靠点", "Bookmobile stop"),
    # job forms
    "mode": ("出行方式", "Travel mode"),
    "mode_walk": ("步行", "Walk"),
    "mode_bicycle": ("骑行", "Bicycle"),
    "mode_drive": ("驾车", "Drive"),
    "mode_distance": ("直线距离", "Straight-line distance"),
    "threshold": ("服务半径", "Threshold"),
    "unit_min": (" 分钟", " min"),
    "unit_m": (" 米", " m"),
    "unit_s": (" 秒", " s"),
    "kinds": ("计入的服务点类型", "Service kinds counted"),
    "scenario": ("方案名称", "Scenario name"),
    "run": ("运行", "Run"),
    "cancel": ("取消", "Cancel"),
    "model": ("模型", "Model"),
    "model_fair": ("公平覆盖（先保最差区县）", "Fair (lift the worst district first)"),
    "model_mclp": ("最大覆盖", "Maximal covering"),
    "model_pmedian": ("p-中位（总出行最短）", "p-median (least total travel)"),
    "model_pcenter": ("p-中心（最远最近）", "p-center (shortest longest trip)"),
    "model_lscp": ("集合覆盖（全覆盖最少点）", "Set covering (fewest sites for all)"),
    "p_sites": ("新增站点数", "New sites"),
    "time_limit": ("计算时限", "Time limit"),
    "floor": ("各区最低覆盖率", "District floor"),
    "budget": ("预算", "Budget"),
    "none": ("（不限）", "(none)"),
    "seed": ("随机种子", "Random seed"),
    "returns_log": ("还书记录（可选）", "Returns log (optional)"),
    "choose_file": ("选择…", "Choose…"),
    "day": ("日期", "Day"),
    "any_day": ("（全部）", "(all)"),
    "crate_size": ("每箱册数", "Items per crate"),
    "coverage_hint": (
        "统计每个区县在服务半径内能到达图书馆的人口。",
        "Counts, per district, the people within the threshold of a library.",
    ),
    "siting_hint": (
        "从候选点中挑选新城市书房的位置；公平模型先提高覆盖最差的区县。",
        "Chooses new study rooms among the candidates; the fair model lifts the worst district first.",
    ),
    "bookmobile_hint": (
        "为每辆书巴排出一周的停靠时刻表（时间窗、服务时长、每周次数、午休）。",
        "Plans a week's timetable per bookmobile (time windows, service times, visits a week, breaks).",
    ),
    "courier_hint": (
        "安排物流车在图书馆之间运送通借通还的书箱，并与经中心馆中转比较。",
        "Routes vans carrying shared-borrowing crates between libraries, compared with going via the central library.",
    ),
    # running
    "idle": ("就绪", "Ready"),
    "running": ("正在运行：{title}", "Running: {title}"),
    "elapsed": ("已用 {s:.1f} 秒", "{s:.1f} s elapsed"),
    "cancelling": ("正在取消…", "Cancelling…"),
    "cancelled": ("已取消：{title}", "Cancelled: {title}"),
    "finished": ("完成：{title}（{s:.1f} 秒）", "Done: {title} ({s:.1f} s)"),
    "failed": ("出错：{title}", "Failed: {title}"),
    "busy": (
        "已有计算在运行，请等待或取消。",
        "A computation is already running: wait or cancel it.",
    ),
    "job_coverage": ("覆盖分析", "Coverage"),
    "job_siting": ("选址", "Siting"),
    "job_bookmobile": ("书巴周计划", "Bookmobile week"),
    "job_courier": ("通借通还物流", "Courier day"),
    "job_demo": ("生成温州演示项目", "Building the Wenzhou demo project"),
    "job_import": ("导入图层", "Importing a layer"),
    "job_export": ("导出", "Exporting"),
    "no_project": ("未打开项目", "No project open"),
    "missing_feature": (
        "此功能所需的模块尚未安装：{name}",
        "The module this needs is not available: {name}",
    ),
    # errors
    "error_title": ("出错了", "Something went wrong"),
    "input_problem": ("输入有问题", "A problem with the input"),
    "bug_text": (
        "程序内部错误（不是您的操作问题）。请把下面的详细信息发给维护人员。",
        "An internal error (not something you did). Please send the details below to the maintainers.",
    ),
    # results
    "runs": ("运行记录", "Runs"),
    "col_id": ("编号", "No."),
    "col_kind": ("类型", "Kind"),
    "col_scenario": ("方案", "Scenario"),
    "col_created": ("时间", "Time"),
    "col_seconds": ("用时(秒)", "Seconds"),
    "col_status": ("状态", "Status"),
    "kind_coverage": ("覆盖", "coverage"),
    "kind_siting": ("选址", "siting"),
    "kind_bookmobile": ("书巴", "bookmobile"),
    "kind_courier": ("物流", "courier"),
    "district": ("区县", "District"),
    "population": ("人口", "Population"),
    "covered": ("覆盖人口", "Covered"),
    "share": ("覆盖率", "Share"),
    "before": ("选址前", "Before"),
    "after": ("选址后", "After"),
    "total": ("全市", "All Wenzhou"),
    "equity": ("公平性", "Equity"),
    "gini": ("基尼系数", "Gini"),
    "theil": ("泰尔指数", "Theil"),
    "worst": ("覆盖最差", "Worst covered"),
    "p90_cost": ("90% 人口出行成本", "90th percentile cost"),
    "selected_sites": ("新选址", "Selected sites"),
    "objective": ("目标值", "Objective"),
    "optimal": ("已证明最优", "Proven optimal"),
    "gap": ("最优性差距", "Gap"),
    "vehicle": ("车辆", "Vehicle"),
    "depart": ("出发", "Depart"),
    "return": ("返回", "Return"),
    "km": ("里程(公里)", "km"),
    "hours": ("时长(小时)", "Hours"),
    "stops": ("停靠数", "Stops"),
    "dropped": ("未能安排", "Not served"),
    "feasible": ("校验通过", "Checked feasible"),
    "infeasible": ("校验未通过", "Check failed"),
    "cost_source": ("出行时间来源", "Travel times from"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "no_runs": (
        "还没有运行记录。在“计算”面板中设置参数并点击“运行”。",
        "No runs yet. Set the parameters in Analyses and press Run.",
    ),
    # compare
    "run_a": ("方案 A", "Run A"),
    "run_b": ("方案 B", "Run B"),
    "compare_same_kind": (
        "请选择两个同类的运行：都为覆盖/选址，或都为路线。",
        "Choose two runs of the same type: both coverage/siting, or both routes.",
    ),
    "before_of": ("#{id} 选址前", "#{id} before siting"),
    "after_of": ("#{id} 选址后", "#{id} after siting"),
    # tables
    "edit_refused": ("修改未接受：{msg}", "Edit refused: {msg}"),
    "saved": ("修改已保存到项目。", "Changes saved to the project."),
    "unsaved": ("有未保存的修改", "unsaved changes"),
    "save_before_run": ("已先保存表格修改。", "Saved the table edits first."),
    "bad_time": (
        "“{v}”不是时间（应为 HH:MM，如 08:30）",
        "'{v}' is not a time (use HH:MM, e.g. 08:30)",
    ),
    "window_reversed": (
        "时间窗结束（{end}）早于开始（{start}）",
        "the time window ends ({end}) before it starts ({start})",
    ),
    "not_number": ("“{v}”不是数字", "'{v}' is not a number"),
    "not_integer": ("“{v}”不是整数", "'{v}' is not a whole number"),
    "negative": ("不能为负数（{v}）", "must not be negative ({v})"),
    "bad_days": (
        "“{v}”不是星期（用 Mon,Tue,…,Sun）",
        "'{v}' is not a list of days (use Mon,Tue,…,Sun)",
    ),
    "bad_kind": ("类型“{v}”无效，可选：{choices}", "unknown kind '{v}'; choose one of {choices}"),
    "empty_id": ("编号不能为空", "the id must not be empty"),
    "duplicate_id": ("编号“{v}”已被使用", "the id '{v}' is already used"),
    "bad_lon": ("经度应在 -180 到 180 之间", "longitude must be between -180 and 180"),
    "bad_lat": ("纬度应在 -90 到 90 之间", "latitude must be between -90 and 90"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "edit_cell": ("修改 {col}", "Edit {col}"),
    # table columns
    "col_name": ("名称", "Name"),
    "col_name_en": ("英文名", "English name"),
    "col_level": ("级别", "Level"),
    "col_opens": ("开馆", "Opens"),
    "col_closes": ("闭馆", "Closes"),
    "col_seats": ("座位", "Seats"),
    "col_books": ("藏书(册)", "Books"),
    "col_provenance": ("来源性质", "Provenance"),
    "col_source": ("出处", "Source"),
    "col_cost": ("费用", "Cost"),
    "col_capacity": ("容量", "Capacity"),
    "col_tw_start": ("时间窗开始", "Window start"),
    "col_tw_end": ("时间窗结束", "Window end"),
    "col_service_min": ("停靠(分钟)", "Service (min)"),
    "col_visits_per_week": ("每周次数", "Visits/week"),
    "col_allowed_days": ("可停靠日", "Allowed days"),
    "col_load_crates": ("书箱数", "Crates"),
    "col_priority": ("优先级", "Priority"),
    "col_allowed_vehicles": ("限定车辆", "Allowed vehicles"),
    "col_depot_id": ("车库(图书馆编号)", "Depot (library id)"),
    "col_shift_start": ("上班", "Shift start"),
    "col_shift_end": ("下班", "Shift end"),
    "col_break_start": ("午休最早", "Break from"),
    "col_break_end": ("午休最晚", "Break until"),
    "col_break_min": ("午休(分钟)", "Break (min)"),
    "col_days": ("工作日", "Working days"),
    "col_capacity_crates": ("载箱数", "Capacity (crates)"),
    "col_district": ("区县", "District"),
    "col_population": ("人口", "Population"),
    "col_lon": ("经度", "Longitude"),
    "col_lat": ("纬度", "Latitude"),
    # import dialog
    "import_title": ("导入图层", "Import a layer"),
    "file": ("文件", "File"),
    "role": ("图层用途", "Layer role"),
    "layer_name": ("图层名称", "Layer name"),
    "preview": ("预览（前 20 行）", "Preview (first 20 rows)"),
    "mapping": ("字段对应", "Field mapping"),
    "not_mapped": ("（不导入）", "(not imported)"),
    "import_files": (
        "表格或地理数据 (*.csv *.xlsx *.geojson *.json *.gpkg *.shp)",
        "Tables or GIS data (*.csv *.xlsx *.geojson *.json *.gpkg *.shp)",
    ),
    "planner_files": ("规划项目 (*.planner)", "Planner projects (*.planner)"),
    "html_files": ("网页 (*.html)", "Web page (*.html)"),
    "xlsx_files": ("Excel 表格 (*.xlsx)", "Excel workbook (*.xlsx)"),
    "choose_dir": ("选择输出文件夹", "Choose the output folder"),
    "no_bookmobile_run": (
        "还没有书巴周计划结果，请先运行。",
        "No bookmobile week yet: run one first.",
    ),
    "exported": ("已导出：{path}", "Exported: {path}"),
    "opened": ("已打开项目：{path}", "Opened project: {path}"),
    "map_loading": ("地图加载中…", "Loading the map…"),
    "selected_feature": ("已选中：{layer} {id}", "Selected: {layer} {id}"),
}


_current = "zh"


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    global _current
    _current = lang


def language() -> str:
    return _current


def tr(key: str, **fields: object) -> str:
    """The label `key` in the current language, with `{fields}` filled in."""
    zh, en = _STRINGS[key]
    text = zh if _current == "zh" else en
    return text.format(**fields) if fields else text


def has(key: str) -> bool:
    return key in _STRINGS
