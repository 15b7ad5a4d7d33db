"""Word lists and sentence templates of the synthetic corpus (all written in simplified Chinese).

Templates are `str.format` strings. A placeholder is either plain text ({co}, {date}, {periods} ...) or
a figure slot filled by `bench.generate` ({v}, {vals}, {pct} ...): a slot's expected figures are
recorded only when the chosen template actually uses it, so a variant may leave a figure out.
Variants under a `*_HK` key use Hong Kong newsroom wording and are only chosen for zh-Hant articles.
The structure follows real coverage (sources/): a lead about the listing, offering terms, trading,
cornerstones, use of proceeds, a financial section with 分别为 series against period lists, 同期
chains, cumulative totals and margins, KPIs, shareholders, and paragraphs without figures.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- names

#: A name is FIRST + SECOND + TAIL (深瞳智能, 星河机器人, 澜舟数据): ~3,000 heads × 20 tails.
NAME_FIRST = tuple(
    "深星澜云智灵极衡澄鲸朔觅矽思天北青曜海光知凌弈岚卓启蓝墨九赛睿寰泓锐瀚晶奇恒慧远苍律聆玄朱"
    "开若致清鸿博闻望栖临照千元同翊沐璞昀熠"
)
NAME_SECOND = tuple(
    "瞳河舟启元犀睿拓明算风途语渺穹辰禾石跃年行波衡图远芯章视宇川思核点眼望动雀庚阳水微鹄观道岳"
    "霞影帆象辉湃瑞澈曦"
)
NAME_TAILS = (
    "智能",
    "科技",
    "机器人",
    "数据",
    "智驾",
    "医疗科技",
    "芯片",
    "智算",
    "视觉",
    "语音",
    "云",
    "AI",
    "信息",
    "网络",
    "机器人科技",
    "智能科技",
    "数智",
    "算力",
    "自动驾驶",
    "生物智能",
)
SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "林",
    "罗",
    "高",
    "梁",
    "宋",
    "郑",
    "谢",
    "韩",
    "唐",
    "冯",
    "许",
    "邓",
    "曹",
)
GIVEN = (
    "伟",
    "芳",
    "磊",
    "洋",
    "勇",
    "军",
    "杰",
    "涛",
    "明",
    "超",
    "华",
    "平",
    "刚",
    "强",
    "峰",
    "斌",
    "鹏",
    "宇",
    "浩",
    "凯",
    "晨",
    "健",
    "博",
    "一鸣",
    "子涵",
    "思远",
    "天佑",
    "志强",
)

SPONSORS = (
    "中金公司",
    "摩根士丹利",
    "高盛",
    "华泰国际",
    "中信证券",
    "海通国际",
    "招银国际",
    "摩根大通",
    "瑞银",
    "花旗",
    "国泰君安国际",
    "建银国际",
)
PUBLISHERS_HANS = (
    "财联社",
    "智通财经",
    "第一财经",
    "36氪",
    "界面新闻",
    "证券时报",
    "新浪财经",
    "每日经济新闻",
    "21世纪经济报道",
    "格隆汇",
)
PUBLISHERS_HANT = (
    "明报",
    "星岛日报",
    "经济日报",
    "香港01",
    "信报",
    "东网",
    "大公报",
    "文汇报",
    "智东西",
    "巴士的报",
)

#: (parent, investment vehicle) for 'A旗下B' phrasing; parents include real groups named in coverage.
PARENT_VEHICLES = (
    ("腾讯", "腾讯投资"),
    ("阿里巴巴", "淘宝中国"),
    ("美团", "天津三快"),
    ("高瓴", "HHLR Advisors"),
    ("红杉中国", "红杉瀚辰"),
    ("小米", "小米长江产业基金"),
    ("联想", "联想创投"),
    ("蚂蚁集团", "上海云玡"),
    ("京东", "京东科技"),
    ("中国移动", "中移资本"),
    ("招商局", "招商局创投"),
    ("国投", "国投创新"),
)
CORNERSTONES = (
    "中金资本",
    "鼎晖投资",
    "华夏基金",
    "易方达",
    "嘉实基金",
    "泰康人寿",
    "中国人寿",
    "南方基金",
    "博时国际",
    "景林资产",
    "高毅资产",
    "淡马锡",
    "GIC",
    "瑞银资管",
    "富达国际",
    "Oaktree",
    "太平洋资产",
    "汇添富",
    "Jane Street",
    "Hel Ved Capital",
)
EARLY_INVESTORS = (
    "达晨财智",
    "启明创投",
    "君联资本",
    "深创投",
    "IDG资本",
    "经纬创投",
    "源码资本",
    "五源资本",
    "真格基金",
    "创新工场",
)

SEGMENTS = (
    "智慧生活",
    "智慧医疗",
    "智能硬件",
    "企业服务",
    "数据平台",
    "行业解决方案",
    "AI芯片",
    "云服务",
    "智能座舱",
    "机器人整机",
    "软件订阅",
    "政务服务",
    "金融科技",
    "工业视觉",
    "自动驾驶解决方案",
)
DEPLOYMENTS = ("本地化部署", "云端部署")
CUSTOMER_KINDS = ("企业客户", "机构客户", "付费客户", "医院客户", "政企客户", "开发者客户")
MARKETS = (
    "AI解决方案",
    "计算机视觉",
    "语音识别",
    "人形机器人",
    "自动驾驶软件",
    "医疗AI",
    "工业AI质检",
    "大模型应用",
    "智能客服",
    "AI芯片",
    "数据智能",
    "智能座舱",
)
MODELS = (
    "山海",
    "灵枢-2",
    "星河-Pro",
    "澜舟-Lite",
    "天穹",
    "启明-1",
    "九章-X",
    "北辰-7B",
    "青禾",
    "墨子-2",
    "万象",
    "照影-V",
)
PURPOSES = (
    "研发视觉大模型",
    "拓展海外市场",
    "潜在收购",
    "通用大模型研发",
    "提升研发能力",
    "扩充产能",
    "建设算力中心",
    "营销网络建设",
    "优化MaaS平台",
    "战略投资",
    "产品商业化",
)
ROUNDS = ("A", "B", "B+", "C", "C+", "D", "E", "Pre-IPO")

CN_DIGITS = "零一二三四五六七八九十"

# --------------------------------------------------------------------------- titles

TITLES_DEBUT = (
    "{co}登陆港交所：{hook}",
    "{co}今日港股挂牌 {hook}",
    "{co}正式在港上市，{hook}",
    "又一AI公司上市！{co}敲钟港交所",
    "{co}港股首秀：{hook}",
    "快讯｜{co}在港交所主板上市",
)
TITLES_FILING = (
    "{co}递表港交所：{hook}",
    "{co}冲刺港股IPO，{hook}",
    "{co}通过港交所上市聆讯 {hook}",
    "{co}招股书拆解：{hook}",
    "{co}再闯港交所，{hook}",
)
HOOKS = (
    "商业化仍在路上",
    "AI独角兽的漫长上市路",
    "收入增长亏损未止",
    "研发投入居高不下",
    "大模型叙事能否兑现",
    "资本市场给出答案",
    "估值与盈利的平衡",
    "硬科技的长跑",
)

# --------------------------------------------------------------------------- leads

LEAD_DEBUT = (
    "{co}于{date}正式在港交所主板挂牌上市，股份代号为{code}，成为{epithet}。",
    "在经历多年的上市跋涉后，{desc}{co}于{date}成功登陆港交所，{epithet_clause}",
    "{date}，{desc}{co}在港交所敲响上市铜锣，股票代码{code}。",
    "{publisher}讯，{desc}{co}{date}在香港联交所主板挂牌，股份代号{code}。",
    "{co}（{code}.HK）于{date}登陆港股，{epithet_clause}",
)
LEAD_DEBUT_HK = (
    "{desc}{co}{date}在港交所主板掛牌，股份代號{code}。",
    "【本報訊】{desc}{co}{date}正式在聯交所主板上市，首日表現備受關注。",
)
LEAD_FILING = (
    "据港交所披露易，{desc}{co}于{date}向港交所递交上市申请，{sponsor}担任独家保荐人。",
    "{date}，{desc}{co}正式向港交所主板提交上市申请书，{sponsor}和{sponsor2}担任联席保荐人。",
    "{desc}{co}于{date}通过港交所上市聆讯，{sponsor}为其独家保荐人。",
    "{co}于{date}第二次向港交所递交招股书，拟在主板挂牌上市。",
)
LEAD_FILING_HK = (
    "{desc}{co}已於{date}向港交所遞交上市申請，由{sponsor}擔任獨家保薦人。",
    "聯交所文件顯示，{desc}{co}{date}通過上市聆訊，最快本月底掛牌。",
)
DESCRIPTORS = (
    "人工智能企业",
    "AI独角兽",
    "计算机视觉公司",
    "大模型企业",
    "人形机器人制造商",
    "数据智能服务商",
    "AI芯片设计公司",
    "医疗AI企业",
    "语音技术“老兵”",
    "",
)
EPITHETS = ("港股“大模型第一股”", "今年以来港股第五家AI公司", "港股AI新贵", "又一家登陆港股的AI独角兽")

# --------------------------------------------------------------------------- offering

#: shares {shares}, range {lo}/{hi}, final price {price}
OFFER_TERMS = (
    "{co}此次全球发售{shares}H股，其中香港公开发售占10%，国际配售占90%，招股价区间为每股{lo}至{hi}。",
    "本次IPO，{co}共发行{shares}，发行价定为每股{price}，处于招股价区间{lo}至{hi}的中上水平。",
    "{co}此前公布，拟发售{shares}，每股招股价介于{lo}至{hi}之间，最终发行价为每股{price}。",
    "{co}的最终发售价为每股{price}，位于{lo}至{hi}招股价区间的上限附近，每手{lot}股。",
    "此次{co}计划全球发售{shares}股份，发行价为每股{price}。",
)
OFFER_TERMS_HK = (
    "該股以每股{price}定價，處於招股價範圍{lo}至{hi}的中上水平，集團是次發行{shares}。",
    "{co}每股招股價{lo}至{hi}，最終定價{price}，每手{lot}股，入場費約{fee}港元。",
)
#: {gross}, {net}, {price}
PROCEEDS = (
    "按发行价{price}计算，{co}此次募资总额{gross}，扣除上市开支后募资净额{net}。",
    "以每股{price}的发行价计算，{co}本次IPO募资总额{gross}（“绿鞋”前）。",
    "{co}此次IPO募资总额{gross}，所得款项净额{net}。",
    "本次发行{co}共募集资金{gross}，募资净额{net}。",
    "扣除包销费用及上市开支后，{co}的募资净额为{net}。",
)
PROCEEDS_HK = (
    "集團是次集資淨額{net}，集資總額{gross}。",
    "以定價{price}計算，{co}集資總額{gross}，集資淨額{net}。",
)
#: {public}, {intl} multiples
SUBSCRIPTION = (
    "在{co}本次IPO发行中，香港公开发售获{public}认购，国际发售获{intl}认购。",
    "{co}的香港公开发售部分录得{public}超额认购，国际配售则获{intl}认购。",
    "认购方面，{co}公开发售部分获{public}认购，冻结资金逾{frozen}亿港元；国际发售获{intl}认购。",
    "配售结果显示，{co}香港公开发售获得{public}认购，国际发售获得{intl}认购。",
    "{co}公开发售超购{public}，国际配售超购{intl}。",
)
SUBSCRIPTION_HK = (
    "公開發售部分錄得{public}超額認購，凍結資金逾{frozen}億港元；國際配售則獲{intl}認購。",
    "{co}公開發售獲{public}認購，國際配售獲{intl}認購，反應熱烈。",
)
#: {open_price}, {open_pct} (signed words in {open_move}), {cap_open}
OPENING = (
    "{co}开盘{open_move}{open_pct}，报{open_price}/股，市值{cap_open}。",
    "{co}开盘报{open_price}，较发行价{open_move}{open_pct}，开盘市值达{cap_open}。",
    "{date_short}开盘，{co}股价{open_move}{open_pct}，为{open_price}/股，总市值{cap_open}。",
    "{co}以{open_price}开盘，较发行价{open_move}{open_pct}。",
    "上市首日，{co}开盘{open_move}{open_pct}，开盘市值{cap_open}。",
)
OPENING_HK = (
    "{co}開市報{open_price}，較招股價{open_move}{open_pct}，開市市值{cap_open}。",
    "該股開市報{open_price}，較招股價{open_move}{open_pct}。",
)
OPEN_UP = ("上涨", "高开", "涨")
OPEN_UP_HK = ("高開", "上升", "升")
OPEN_DOWN = ("下跌", "低开", "跌")
OPEN_DOWN_HK = ("低開", "下跌", "跌")
#: intraday moment: {time}, {intra_price}, {intra_pct} (not contract metrics), {cap_intra}
INTRADAY = (
    "截至{time}，{co}股价{intra_move}{intra_pct}，报{intra_price}/股，市值{cap_intra}。",
    "截至{time}，{co}股价{intra_move}{intra_pct}，总市值{cap_intra}。",
    "盘中，{co}一度{intra_move}至{intra_price}；截至{time}，市值{cap_intra}。",
    "截至发稿（{time}），{co}报{intra_price}，市值{cap_intra}。",
)
#: close: {close_price}, {close_pct}, {close_move}, {cap_close}
CLOSING = (
    "{co}首日收盘报{close_price}，较发行价{close_move}{close_pct}，总市值{cap_close}。",
    "截至收盘，{co}报{close_price}/股，{close_move}{close_pct}，收盘市值{cap_close}。",
    "{co}上市首日收{close_move}{close_pct}，收报{close_price}，以收盘价计市值{cap_close}。",
    "首日收盘，{co}股价{close_move}{close_pct}。",
    "{co}最终收于{close_price}，全日{close_move}{close_pct}。",
)
CLOSING_HK = (
    "{co}收市報{close_price}，較招股價{close_move}{close_pct}，全日成交額{turnover}億元。以收市價計，{co}市值{cap_close}。",
    "該股全日收{close_move}{close_pct}，收報{close_price}，成交{turnover}億元。",
)
CLOSE_UP = ("上涨", "涨", "收涨")
CLOSE_UP_HK = ("升", "上升", "上漲")
CLOSE_DOWN = ("下跌", "跌", "收跌")
CLOSE_DOWN_HK = ("跌", "下跌", "回落")
#: first-day market cap without a moment
FIRST_DAY_CAP = (
    "{co}首日市值{cap_first}。",
    "按首日表现计，{co}市值{cap_first}。",
    "上市首日，{co}市值{cap_first}，跻身港股AI板块前列。",
    "{co}首日总市值{cap_first}。",
)
#: cornerstones: {n_corner} count, {corner_amt}, {corner_list} (names with amounts) or {corner_names}
CORNERSTONE = (
    "{co}此次IPO引入{n_corner}基石投资者，合共认购{corner_amt}的发售股份：{corner_list}。",
    "{co}吸引了由产业资本和长线基金构成的基石投资阵容，{corner_names}等{n_corner}基石投资者合计认购{corner_amt}。",
    "基石投资者方面，{co}共引入{n_corner}基石，合计认购{corner_amt}，其中{corner_list}。",
    "{co}获{n_corner}基石投资者认购合共{corner_amt}，包括{corner_list}。",
)
CORNERSTONE_HK = ("{co}引入{n_corner}基石投資者，合共認購{corner_amt}，當中{corner_list}。",)
#: use of proceeds: {uses} (rendered list)
USE_OF_PROCEEDS = (
    "{co}募集资金净额中，{uses}。",
    "所得款项净额中，{uses}。",
    "根据招股书，{co}此次募资{uses}。",
    "{co}此次募资净额拟作如下用途：{uses}。",
)
#: planned proceeds of the filing
PLANNED = (
    "{co}此前曾计划在科创板募资{planned}，但仅三个月后便主动撤回申请。",
    "早在{old_year}年，{co}便冲刺科创板，拟募资{planned}，后撤回申请。",
    "{co}曾于{old_year}年申报科创板，计划募集资金{planned}。",
    "回看{old_year}年，{co}在科创板的IPO申请拟募资{planned}，最终未能成行。",
)

# --------------------------------------------------------------------------- financial series

REVENUE_SERIES = (
    "招股书显示，{periods}，{co}的收入分别为{vals}。",
    "{periods}，{co}营收分别为{vals}，呈现稳健增长态势。",
    "{co}于{periods}分别实现营业收入{vals}。",
    "财务数据方面，{periods}，{co}分别录得收入{vals}。",
    "{periods}，公司的营业收入分别为{vals}。",
)
REVENUE_SERIES_HK = (
    "於{periods}，{co}的收益分別為{vals}。",
    "業績方面，{co}{periods}的收益分別為{vals}。",
)
#: first and last full year only: {y1} {v1} → {y2} {v2}; {change} is a verb that fits the direction
REVENUE_FROM_TO = (
    "{co}的收入由{y1}年的{v1}{change}至{y2}年的{v2}。",
    "营收从{y1}年的{v1}{change}至{y2}年的{v2}。",
    "{y1}年至{y2}年，{co}收入从{v1}{change}至{v2}。",
    "{co}营业收入由{y1}年的{v1}{change}到{y2}年的{v2}。",
)
REVENUE_UP = ("增长", "攀升", "增加", "提升")
REVENUE_DOWN = ("下降", "减少", "回落")
LOSS_FROM_TO = (
    "同期，{co}净亏损由{y1}年的{v1}{change}至{y2}年的{v2}。",
    "净亏损从{y1}年的{v1}{change}至{y2}年的{v2}。",
    "{co}的年内亏损由{y1}年的{v1}{change}至{y2}年的{v2}。",
    "亏损方面，{y1}年{co}净亏损{v1}，{y2}年{change}至{v2}。",
)
LOSS_UP = ("扩大", "增加", "攀升")
LOSS_DOWN = ("收窄", "减少", "缩小")
LOSS_SERIES = (
    "同期净亏损分别为{vals}。",
    "{periods}，{co}的净亏损分别为{vals}，亏损持续扩大。",
    "亏损方面，{co}在上述期间分别录得净亏损{vals}。",
    "同期，{co}年内亏损分别为{vals}。",
)
LOSS_SERIES_HK = (
    "同期虧損淨額分別為{vals}。",
    "{co}同期分別錄得虧損淨額{vals}。",
)
PROFIT_SERIES = (
    "同期净利润分别为{vals}。",
    "{periods}，{co}的净利润分别为{vals}。",
    "利润方面，同期{co}净利润分别为{vals}。",
    "同期，公司分别实现净利润{vals}。",
)
PROFIT_SERIES_HK = ("同期純利分別為{vals}。",)
ADJ_LOSS_SERIES = (
    "同期经调整净亏损分别为{vals}。",
    "剔除股份支付等影响后，{co}同期的经调整净亏损分别为{vals}。",
    "按非国际财务报告准则计量，同期经调整净亏损分别为{vals}。",
    "{periods}，{co}经调整净亏损分别为{vals}。",
)
RD_SERIES = (
    "研发费用则快速攀升，分别为{vals}。",
    "同期，{co}的研发开支分别为{vals}。",
    "{periods}，{co}研发投入分别为{vals}。",
    "高额的研发投入是亏损的主要原因之一，同期研发费用分别为{vals}。",
)
RD_SERIES_HK = ("同期研發開支分別為{vals}。",)
MARGIN_SERIES = (
    "同期，公司毛利率分别为{vals}，整体维持在较高区间。",
    "{periods}，{co}的毛利率分别为{vals}。",
    "毛利率方面，同期分别为{vals}。",
    "{co}同期的综合毛利率分别为{vals}。",
)
TOP5_SERIES = (
    "从客户集中度看，{periods}，{co}前五大客户贡献收入占比分别为{vals}。",
    "同期，来自前五大客户的收入分别占总收入的{vals}。",
    "{periods}，{co}向前五大客户的销售额占比分别为{vals}，集中度呈下降趋势。",
    "同期前五大客户收入占比分别为{vals}。",
)

# --------------------------------------------------------------------------- single figures

CUMULATIVE = (
    "{span}，{co}累计实现收入{cum_rev}，累计净亏损达到{cum_loss}，累计研发投入高达{cum_rd}。",
    "{span}，{co}累计亏损{cum_loss}。",
    "{span}{co}累计收入{cum_rev}，累计亏损{cum_loss}。",
    "{span}，{co}累计研发投入{cum_rd}，累计亏损{cum_loss}。",
)
CAGR = (
    "{y1}年至{y2}年，{co}收入的年复合增长率达{cagr}。",
    "{y1}年至{y2}年，{co}营收年复合增长率为{cagr}。",
    "按{y1}年至{y2}年计算，{co}收入年均复合增长率为{cagr}。",
    "{y1}-{y2}年，公司收入的复合年增长率为{cagr}。",
)
YOY = (
    "{year}年，{co}收入{rev_one}，同比增长{yoy}。",
    "其中{year}年营收同比增长{yoy}。",
    "{co}{year}年度收入较上年增长{yoy}。",
    "{year}年，{co}实现营业收入{rev_one}，较{prev}年增长{yoy}。",
)
YOY_HK = ("{co}截至{year}年12月31日止年度收益為{rev_one}，按年增長{yoy}。",)
PARTIAL_YOY = (
    "{partial}，{co}收入{rev_part}，同比增长{part_yoy}，毛利率{part_margin}。",
    "{partial}，{co}营收{rev_part}，同比增长{part_yoy}。",
    "{co}{partial}实现收入{rev_part}，较上年同期增长{part_yoy}。",
    "{partial}，公司收入同比增长{part_yoy}至{rev_part}。",
)
SEGMENT_SHARE = (
    "在细分业务上，{seg}业务贡献了{seg_pct}的收入。",
    "{year}年，{co}{seg}业务收入占比为{seg_pct}。",
    "按业务划分，{year}年{seg}收入占总收入的{seg_pct}。",
    "{year}年，来自{seg}的收入占比达{seg_pct}，为第一大收入来源。",
)
DEPLOYMENT_SHARE = (
    "从收入结构看，{span}，{co}{dep_pct}的收入来自{dep}，这一模式在政企客户中仍占据主导。",
    "{span}，{co}来自{dep}的收入占比为{dep_pct}。",
    "从部署方式看，{span}{dep}收入占比{dep_pct}。",
    "{span}，{dep}贡献了{co}{dep_pct}的收入。",
)
TOP5_SUPPLIERS = (
    "{year}年，{co}向前五大供应商的采购额占总采购额的{sup_pct}。",
    "{year}年，前五大供应商采购额占比为{sup_pct}。",
    "供应链方面，{year}年{co}前五大供应商采购占比{sup_pct}。",
    "{year}年，来自前五大供应商的采购额占比{sup_pct}，主要为算力资源。",
)
CASH = (
    "截至{asof}，{co}持有现金及现金等价物{cash}。",
    "截至{asof}，公司现金及现金等价物为{cash}。",
    "{co}截至{asof}的现金及现金等价物余额为{cash}。",
    "账面资金方面，截至{asof}，{co}现金及现金等价物{cash}。",
)
HEADCOUNT = (
    "截至{asof}，{co}共有员工{staff}，其中研发人员{rd_staff}，占比{rd_share}。",
    "截至{asof}，{co}拥有{rd_staff}研发人员，占员工总数的{rd_share}。",
    "截至{asof}，公司员工总数为{staff}，研发人员{rd_staff}。",
    "截至{asof}，{co}研发团队共{rd_staff}，占员工总数{rd_share}。",
)
IP = (
    "截至{asof}，{co}已拥有{patents}授权专利（其中{inv}为发明专利）。",
    "截至{asof}，公司累计获得授权专利{patents}，其中发明专利{inv}。",
    "在知识产权方面，截至{asof}，{co}拥有{patents}专利，包括{inv}发明专利。",
    "截至{asof}，{co}科研团队已发表{papers}论文，累计引用次数{citations}。",
)
CUSTOMERS = (
    "截至{asof}，{co}已服务{cust}{kind}。",
    "截至{asof}，{co}累计服务{kind}{cust}。",
    "商业化方面，截至{asof}，公司{kind}数量达到{cust}。",
    "截至{asof}，{co}拥有{kind}{cust}，客户数量显著增长。",
)
RANK = (
    "根据弗若斯特沙利文的报告，按收入计，{co}在中国{market}市场中位列第{rank}。",
    "按收入计，{co}是中国{market}市场排名第{rank}的企业。",
    "据灼识咨询资料，{co}在中国{market}市场排名第{rank}。",
    "以收入计，{co}在中国{market}市场中排名第{rank}，市场份额为{mshare}。",
)
PARAMS = (
    "{co}自研的“{model}”大模型拥有{params}参数。",
    "{co}发布的“{model}”模型参数规模达{params}，为国内参数量最大的商用模型之一。",
    "公司的旗舰模型“{model}”参数量为{params}。",
    "{year}年，{co}正式发布了其拥有{params}参数的“{model}”大模型。",
)
DOWNLOADS = (
    "截至{asof}，{co}开源模型在全球开发者社区的累计下载量已超过{downloads}。",
    "截至{asof}，{co}开源模型累计下载量达{downloads}。",
    "生态方面，截至{asof}，{co}的开源模型下载量{downloads}。",
    "截至{asof}，公司开源模型的累计下载量为{downloads}。",
)
TOKENS = (
    "{month}，{co}的日均token消耗量达到{tokens}。",
    "{month}，其日均token调用量为{tokens}。",
    "据披露，{month}{co}日均token消耗量{tokens}。",
    "{month}，{co}平台日均token消耗{tokens}。",
)
VALUATION = (
    "{year}年完成{round}轮融资后，{co}投后估值达到{valuation}。",
    "{co}曾于{year}年完成{round}轮融资，投后估值为{valuation}。",
    "{year}年的{round}轮融资中，{co}的投后估值达{valuation}。",
    "{round}轮融资完成后，{co}投后估值升至{valuation}。",
)
RETENTION = (
    "{seg}业务的客户留存率从{y1}年的{ret1}下降至{y2}年的{ret2}。",
    "{y2}年，{co}{seg}业务的客户留存率为{ret2}，{y1}年为{ret1}。",
    "{seg}业务客户留存率由{y1}年的{ret1}变为{y2}年的{ret2}。",
    "{co}{seg}业务的客户留存率在{y1}年及{y2}年分别为{ret1}及{ret2}。",
)

# --------------------------------------------------------------------------- shareholders

SHAREHOLDERS = (
    "股权结构显示，{founder}通过{holdco}持有约{f_stake}股份；{parent}旗下{vehicle}持股{p_stake}，{vc}持股{vc_stake}。",
    "股权方面，创始人{founder}透过其全资拥有的{holdco}持有{f_stake}股份；{parent}旗下{vehicle}持股{p_stake}，为最大外部股东。",
    "在股东结构中，{parent}旗下{vehicle}持股{p_stake}，{vc}持股{vc_stake}，创始人{founder}持股{f_stake}。",
    "截至最后实际可行日期，{founder}及其一致行动人士共同控制{co}约{f_stake}的股份权益，{parent}旗下{vehicle}持有{p_stake}。",
)
EARLY = (
    "作为{co}的早期投资方，{early}自{year}年起便领投其A轮融资，并在后续多轮持续加注。",
    "{early}是{co}的早期投资者，曾在{year}年领投其天使轮融资。",
    "{year}年，{early}领投{co}的A轮融资，成为其最早的机构股东之一。",
    "早在{year}年，{early}便投资了{co}。",
)

# --------------------------------------------------------------------------- no contract figures

#: numbers that are not figures of the company (market-wide, other issuers, dates)
MARKET_WIDE = (
    "市场气氛方面，今年以来港股新股集资总额已突破{big}亿港元，较去年同期增加逾两倍。",
    "据统计，今年以来已有{n}家AI企业在港交所递表，港股IPO市场持续回暖。",
    "港交所数据显示，今年以来港股IPO募资总额超过{big}亿港元，位居全球前列。",
    "今年以来，港股共有{n}只新股上市，其中科技股占比近半。",
)
FILLERS = (
    "在人工智能浪潮席卷全球的背景下，一家技术深厚的AI企业的上市，往往被视为行业发展成熟度的重要风向标。",
    "这一决策背后，是AI商业化路径的普遍困境：如何将实验室成果转化为规模化、可持续的商业收入，是所有独角兽们必须面对的难题。",
    "业内人士认为，资本市场对待技术公司盈利前景更加理性，AI企业需要更加务实地调整估值与募资预期。",
    "公司创始团队均来自国内顶尖高校，核心成员在机器学习领域拥有深厚背景。",
    "公司在招股书中表示，未来将通过收入增长与运营效率提升，逐步改善盈利能力。",
    "在部署方式上，公司同时提供本地化部署与云端部署两种模式，以满足不同客户的需求。",
    "国际化道路充满挑战，不仅涉及技术适应性，更包括文化、法规、市场竞争等多元因素。",
    "在早期投资方看来，公司之所以能在高强度投入下持续推进，关键在于其对底层技术路线的长期坚持。",
    "分析人士指出，大模型带来的颠覆性浪潮正在重塑行业格局，传统AI公司需要通过技术升级和战略调整来适应新格局。",
    "董事长在上市致辞中称，公司将坚持自主研发，把中国AI产品带向全世界。",
    "公司认为，通用智能需要具备深度思考、认知世界与工具使用等核心能力。",
    "其核心技术架构覆盖云端、边缘设备以及定制化芯片，形成了软硬一体的产品体系。",
    "在商业化方面，公司选择了To B路径，为企业提供对话式AI产品和解决方案。",
    "上市只是新的起点，能否真正实现盈利，时间将给出最终的答案。",
    "特别声明：以上内容仅代表作者观点，不构成投资建议。",
)
#: headings of the numbered sections (一、…), per section of the article body
SECTION_HEADS = {
    "financials": ("财务表现", "收入增长，亏损未止", "三年收入翻番，仍未盈利", "业绩：增收不增利"),
    "derived": ("累计亏损与增长速度", "高投入换增长", "研发投入居高不下", "盈利拐点何时到来"),
    "structure": ("收入结构与客户", "从技术到商业：挑战仍在", "客户集中度下降", "业务版图"),
    "kpis": ("团队与技术积累", "研发人员与专利", "商业化的下一步", "技术底座"),
    "shareholders": ("股东阵容豪华", "股权结构与融资历程", "资本版图", "早期投资方的坚守"),
}
