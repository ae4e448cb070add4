/**
 * City → province → region for mainland China, for the member-base breakdowns (docs/jobs.md
 * "Member base"). A member's `city` is free text (at most 60 characters); it is normalised by
 * trimming, dropping a trailing 市 and, for Latin spellings, lower-casing and dropping spaces
 * (`Shanghai`, `shang hai`, `上海市` → 上海). A city not in the table keeps its normalised name
 * in the CITY breakdown and counts as UNKNOWN province and region; a member without a city is
 * UNKNOWN in all three.
 *
 * Regions are the seven customary geographic regions (七大地理分区); provinces are the 31
 * province-level divisions of the mainland under their short names (municipalities map to
 * themselves). Cities are the provincial capitals and the larger prefecture-level cities.
 * Hong Kong, Macau and Taiwan are not in the table (UNKNOWN).
 */

export const REGIONS = ["EAST", "NORTH", "CENTRAL", "SOUTH", "SOUTHWEST", "NORTHWEST", "NORTHEAST"] as const;
export type Region = (typeof REGIONS)[number];

/** The group key of a value that is missing or not in the table. */
export const UNKNOWN = "UNKNOWN";

/** Province (short name) → its region and its cities (Chinese names without 市). */
export const PROVINCES: Readonly<Record<string, { region: Region; cities: readonly string[] }>> = {
  // 华东
  上海: { region: "EAST", cities: ["上海"] },
  江苏: { region: "EAST", cities: ["南京", "苏州", "无锡", "常州", "南通", "扬州", "镇江", "徐州", "盐城", "泰州", "淮安", "连云港", "宿迁", "昆山", "江阴"] },
  浙江: { region: "EAST", cities: ["杭州", "宁波", "温州", "绍兴", "嘉兴", "湖州", "金华", "台州", "衢州", "丽水", "舟山", "义乌"] },
  安徽: { region: "EAST", cities: ["合肥", "芜湖", "蚌埠", "马鞍山", "安庆", "阜阳", "滁州", "淮南"] },
  福建: { region: "EAST", cities: ["福州", "厦门", "泉州", "漳州", "莆田", "龙岩", "三明"] },
  江西: { region: "EAST", cities: ["南昌", "赣州", "九江", "上饶", "宜春", "景德镇"] },
  山东: { region: "EAST", cities: ["济南", "青岛", "烟台", "潍坊", "临沂", "淄博", "济宁", "威海", "泰安", "日照", "德州"] },
  // 华北
  北京: { region: "NORTH", cities: ["北京"] },
  天津: { region: "NORTH", cities: ["天津"] },
  河北: { region: "NORTH", cities: ["石家庄", "唐山", "保定", "廊坊", "邯郸", "秦皇岛", "沧州"] },
  山西: { region: "NORTH", cities: ["太原", "大同", "长治", "晋中", "运城"] },
  内蒙古: { region: "NORTH", cities: ["呼和浩特", "包头", "鄂尔多斯", "赤峰"] },
  // 华中
  河南: { region: "CENTRAL", cities: ["郑州", "洛阳", "开封", "新乡", "南阳", "许昌", "商丘"] },
  湖北: { region: "CENTRAL", cities: ["武汉", "宜昌", "襄阳", "荆州", "十堰", "黄石"] },
  湖南: { region: "CENTRAL", cities: ["长沙", "株洲", "湘潭", "衡阳", "岳阳", "常德"] },
  // 华南
  广东: { region: "SOUTH", cities: ["广州", "深圳", "东莞", "佛山", "珠海", "中山", "惠州", "汕头", "江门", "湛江", "肇庆"] },
  广西: { region: "SOUTH", cities: ["南宁", "柳州", "桂林", "北海"] },
  海南: { region: "SOUTH", cities: ["海口", "三亚"] },
  // 西南
  重庆: { region: "SOUTHWEST", cities: ["重庆"] },
  四川: { region: "SOUTHWEST", cities: ["成都", "绵阳", "德阳", "宜宾", "南充", "泸州"] },
  贵州: { region: "SOUTHWEST", cities: ["贵阳", "遵义"] },
  云南: { region: "SOUTHWEST", cities: ["昆明", "大理", "丽江", "曲靖"] },
  西藏: { region: "SOUTHWEST", cities: ["拉萨"] },
  // 西北
  陕西: { region: "NORTHWEST", cities: ["西安", "咸阳", "宝鸡"] },
  甘肃: { region: "NORTHWEST", cities: ["兰州", "天水"] },
  青海: { region: "NORTHWEST", cities: ["西宁"] },
  宁夏: { region: "NORTHWEST", cities: ["银川"] },
  新疆: { region: "NORTHWEST", cities: ["乌鲁木齐", "克拉玛依"] },
  // 东北
  辽宁: { region: "NORTHEAST", cities: ["沈阳", "大连", "鞍山", "抚顺", "锦州"] },
  吉林: { region: "NORTHEAST", cities: ["长春", "吉林"] },
  黑龙江: { region: "NORTHEAST", cities: ["哈尔滨", "大庆", "齐齐哈尔", "牡丹江"] },
};

/** Latin spellings of the larger cities (lower case, no spaces) → the Chinese name. */
const LATIN: Readonly<Record<string, string>> = {
  shanghai: "上海", beijing: "北京", peking: "北京", tianjin: "天津", chongqing: "重庆", guangzhou: "广州", canton: "广州", shenzhen: "深圳",
  hangzhou: "杭州", suzhou: "苏州", nanjing: "南京", wuxi: "无锡", ningbo: "宁波", wenzhou: "温州", hefei: "合肥", fuzhou: "福州", xiamen: "厦门",
  jinan: "济南", qingdao: "青岛", wuhan: "武汉", changsha: "长沙", zhengzhou: "郑州", chengdu: "成都", xian: "西安", "xi'an": "西安",
  kunming: "昆明", shenyang: "沈阳", dalian: "大连", harbin: "哈尔滨", changchun: "长春", dongguan: "东莞", foshan: "佛山", zhuhai: "珠海",
  nanning: "南宁", haikou: "海口", sanya: "三亚", guiyang: "贵阳", lanzhou: "兰州", urumqi: "乌鲁木齐", hohhot: "呼和浩特", shijiazhuang: "石家庄",
  taiyuan: "太原", nanchang: "南昌", lhasa: "拉萨", xining: "西宁", yinchuan: "银川",
};

/** Chinese city name → province short name. A city that shares its province's name (吉林) maps to that province. */
const CITY_PROVINCE: ReadonlyMap<string, string> = new Map(Object.entries(PROVINCES).flatMap(([province, p]) => p.cities.map((city) => [city, province] as const)));

/** The CITY group key of a member's city: normalised name, or UNKNOWN when missing or blank. */
export function cityKey(city: unknown): string {
  if (typeof city !== "string") return UNKNOWN;
  let name = city.trim();
  if (!name) return UNKNOWN;
  const latin = LATIN[name.toLowerCase().replace(/\s+/g, "").replace(/(city|shi)$/, "")];
  if (latin) return latin;
  if (name.length > 1 && name.endsWith("市")) name = name.slice(0, -1);
  return name;
}

/** The province of a CITY key (UNKNOWN when not in the table). */
export function provinceOf(cityGroup: string): string {
  return CITY_PROVINCE.get(cityGroup) ?? UNKNOWN;
}

/** The region of a CITY key (UNKNOWN when its province is not known). */
export function regionOf(cityGroup: string): string {
  const province = CITY_PROVINCE.get(cityGroup);
  return province ? PROVINCES[province]!.region : UNKNOWN;
}
