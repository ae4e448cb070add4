import type { Channel, Gender } from "../member/types.js";

/** Static content of the demo brand: a tea and coffee chain in six cities. */

export const BRAND = {
  name: "Demo Tea Co.",
  timeZone: "Asia/Shanghai",
  currency: "CNY",
  pointsPerUnit: 1,
} as const;

/** The fixed "now" of the demo (2026-11-01 00:00 in Shanghai): data never depends on the wall clock. */
export const DEMO_ANCHOR = "2026-10-31T16:00:00.000Z";
/** Members join over the 14 months before the anchor (from 2025-09-01 00:00 in Shanghai). */
export const DEMO_START = "2025-08-31T16:00:00.000Z";
/** Shanghai has no daylight saving time: local time is UTC+8 all year. */
export const SHANGHAI_OFFSET_MS = 8 * 3600_000;

export interface CityInfo {
  city: string;
  weight: number;
}

export const CITIES: readonly CityInfo[] = [
  { city: "上海", weight: 30 },
  { city: "杭州", weight: 17 },
  { city: "苏州", weight: 11 },
  { city: "南京", weight: 12 },
  { city: "北京", weight: 15 },
  { city: "深圳", weight: 15 },
];

export interface StoreInfo {
  /** Short code; the store id is `<prefix>-st-<code>`. */
  code: string;
  name: string;
  city: string;
  address: string;
  latitude: number;
  longitude: number;
  /** Relative share of the city's store orders. */
  weight: number;
}

/** Flagship and mall stores at real-ish locations (WGS-84, rounded). */
export const STORES: readonly StoreInfo[] = [
  { code: "sh-njxl", name: "Demo Tea 南京西路旗舰店", city: "上海", address: "上海市静安区南京西路1266号", latitude: 31.2297, longitude: 121.4553, weight: 5 },
  { code: "sh-xjh", name: "Demo Tea 徐家汇店", city: "上海", address: "上海市徐汇区虹桥路1号", latitude: 31.195, longitude: 121.4365, weight: 3 },
  { code: "sh-ljz", name: "Demo Tea 陆家嘴店", city: "上海", address: "上海市浦东新区陆家嘴环路1000号", latitude: 31.2397, longitude: 121.4998, weight: 4 },
  { code: "hz-hb", name: "Demo Tea 湖滨银泰店", city: "杭州", address: "杭州市上城区东坡路7号", latitude: 30.259, longitude: 120.164, weight: 4 },
  { code: "hz-xx", name: "Demo Tea 西溪天街店", city: "杭州", address: "杭州市西湖区五常大道1号", latitude: 30.2885, longitude: 120.0645, weight: 2 },
  { code: "sz-gq", name: "Demo Tea 观前街店", city: "苏州", address: "苏州市姑苏区观前街88号", latitude: 31.311, longitude: 120.623, weight: 1 },
  { code: "nj-xjk", name: "Demo Tea 新街口店", city: "南京", address: "南京市秦淮区中山南路1号", latitude: 32.0417, longitude: 118.7836, weight: 1 },
  { code: "bj-slt", name: "Demo Tea 三里屯店", city: "北京", address: "北京市朝阳区三里屯路19号", latitude: 39.934, longitude: 116.454, weight: 3 },
  { code: "bj-gm", name: "Demo Tea 国贸店", city: "北京", address: "北京市朝阳区建国门外大街1号", latitude: 39.9087, longitude: 116.4605, weight: 2 },
  { code: "shz-kjy", name: "Demo Tea 南山科技园店", city: "深圳", address: "深圳市南山区科苑南路2666号", latitude: 22.5405, longitude: 113.953, weight: 3 },
  { code: "shz-ft", name: "Demo Tea 福田COCO Park店", city: "深圳", address: "深圳市福田区福华三路268号", latitude: 22.5335, longitude: 114.056, weight: 2 },
];

/** Where members come from at sign-up (referred members are drawn separately). */
export const JOIN_CHANNELS: readonly (readonly [Channel, number])[] = [
  ["MINI_PROGRAM", 34],
  ["STORE", 20],
  ["WECHAT_OA", 14],
  ["WECOM", 12],
  ["APP", 8],
  ["COMMUNITY_GROUP", 7],
  ["LIVE", 5],
];

export const REFERRED_CHANNELS: readonly (readonly [Channel, number])[] = [
  ["MINI_PROGRAM", 45],
  ["COMMUNITY_GROUP", 40],
  ["WECOM", 15],
];

/** Surnames with pinyin (for e-mail handles), roughly by frequency. */
export const SURNAMES: readonly (readonly [string, string, number])[] = [
  ["王", "wang", 72], ["李", "li", 71], ["张", "zhang", 68], ["刘", "liu", 53], ["陈", "chen", 45],
  ["杨", "yang", 31], ["黄", "huang", 24], ["赵", "zhao", 22], ["吴", "wu", 21], ["周", "zhou", 20],
  ["徐", "xu", 15], ["孙", "sun", 14], ["马", "ma", 13], ["朱", "zhu", 13], ["胡", "hu", 12],
  ["郭", "guo", 11], ["何", "he", 10], ["林", "lin", 10], ["高", "gao", 10], ["罗", "luo", 9],
  ["郑", "zheng", 9], ["梁", "liang", 8], ["谢", "xie", 7], ["宋", "song", 6], ["唐", "tang", 6],
  ["许", "xu", 6], ["韩", "han", 5], ["冯", "feng", 5], ["邓", "deng", 5], ["曹", "cao", 5],
  ["彭", "peng", 5], ["曾", "zeng", 5], ["肖", "xiao", 5], ["田", "tian", 4], ["董", "dong", 4],
  ["潘", "pan", 4], ["袁", "yuan", 4], ["蔡", "cai", 4], ["蒋", "jiang", 4], ["余", "yu", 4],
  ["沈", "shen", 4], ["叶", "ye", 4], ["程", "cheng", 3], ["苏", "su", 3], ["陆", "lu", 3],
  ["顾", "gu", 3], ["钱", "qian", 2], ["方", "fang", 2], ["姚", "yao", 2], ["欧阳", "ouyang", 1],
];

export const GIVEN_CHARS: Record<"FEMALE" | "MALE", string> = {
  FEMALE: "婷静敏丽娟颖怡欣雨萱涵琪佳雪梦晨悦瑶琳菲诗思彤蕾璐洁霞燕慧宁可妍",
  MALE: "伟强磊军勇杰涛明超斌浩宇轩博文俊鹏飞凯晨阳帅辉峰毅诚哲昊然睿",
};

export const NICKNAMES: readonly string[] = [
  "小鹿", "Cici", "阿杰", "momo", "奶茶续命中", "Vivian", "橙子", "一只猫", "Kevin", "糖糖",
  "Lily", "阿木", "小满", "Echo", "木子", "Sunny", "柚子", "Jason", "豆豆", "晴天",
];

/** English given names for e-mail handles. */
export const HANDLES: readonly string[] = ["lily", "amy", "grace", "coco", "vivian", "kevin", "jason", "leo", "tony", "echo", "ivy", "jack", "sunny", "eric", "nina", "zoe"];
export const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [["163.com", 30], ["126.com", 12], ["gmail.com", 10], ["outlook.com", 10], ["foxmail.com", 8], ["sina.com", 5], ["hotmail.com", 5]];

export const GENDER_WEIGHTS: readonly (readonly [Gender, number])[] = [["FEMALE", 62], ["MALE", 30], ["UNKNOWN", 8]];

/** Mainland mobile prefixes (all valid MOBILE ranges for libphonenumber), weighted by use. */
export const PHONE_PREFIXES: readonly (readonly [string, number])[] = [
  ["138", 8], ["139", 8], ["135", 7], ["136", 6], ["137", 6], ["150", 5], ["151", 5], ["152", 4], ["158", 5], ["159", 5],
  ["186", 6], ["187", 5], ["188", 5], ["189", 4], ["185", 4], ["180", 3], ["181", 3], ["182", 3], ["183", 3],
  ["130", 3], ["131", 3], ["132", 3], ["133", 2], ["155", 3], ["156", 3], ["157", 2], ["176", 2], ["177", 2], ["166", 2], ["198", 2], ["199", 2],
];

export interface MenuItem {
  sku: string;
  name: string;
  priceMinor: number;
  kind: "TEA" | "COFFEE" | "FOOD" | "VOUCHER";
}

export const MENU: readonly MenuItem[] = [
  { sku: "T001", name: "招牌多肉葡萄", priceMinor: 2200, kind: "TEA" },
  { sku: "T002", name: "芝芝莓莓", priceMinor: 2500, kind: "TEA" },
  { sku: "T003", name: "杨枝甘露", priceMinor: 1900, kind: "TEA" },
  { sku: "T004", name: "芋泥波波奶茶", priceMinor: 2000, kind: "TEA" },
  { sku: "T005", name: "桂花乌龙奶茶", priceMinor: 1800, kind: "TEA" },
  { sku: "T006", name: "手打柠檬茶", priceMinor: 1600, kind: "TEA" },
  { sku: "T007", name: "烤黑糖波波牛乳", priceMinor: 2100, kind: "TEA" },
  { sku: "T008", name: "茉莉初雪(低糖)", priceMinor: 1500, kind: "TEA" },
  { sku: "C001", name: "生椰拿铁", priceMinor: 1800, kind: "COFFEE" },
  { sku: "C002", name: "美式咖啡", priceMinor: 1500, kind: "COFFEE" },
  { sku: "C003", name: "燕麦拿铁", priceMinor: 2400, kind: "COFFEE" },
  { sku: "C004", name: "桂花冷萃", priceMinor: 2200, kind: "COFFEE" },
  { sku: "C005", name: "澳白", priceMinor: 2600, kind: "COFFEE" },
  { sku: "F001", name: "肉松小贝", priceMinor: 1200, kind: "FOOD" },
  { sku: "F002", name: "巴斯克芝士蛋糕", priceMinor: 2800, kind: "FOOD" },
  { sku: "F003", name: "软欧包", priceMinor: 1600, kind: "FOOD" },
  { sku: "F004", name: "蛋黄酥(2枚)", priceMinor: 1400, kind: "FOOD" },
];

/** Multi-drink vouchers sold in live streams and group buys. */
export const VOUCHERS: readonly MenuItem[] = [
  { sku: "V001", name: "生椰拿铁5杯券", priceMinor: 7990, kind: "VOUCHER" },
  { sku: "V002", name: "任意饮品双杯券", priceMinor: 3690, kind: "VOUCHER" },
  { sku: "V003", name: "下午茶套餐券", priceMinor: 4990, kind: "VOUCHER" },
];

/** Published content members view, click and share. `publishedAt` is a Shanghai date. */
export const CONTENT: readonly { id: string; publishedAt: string; weight: number }[] = [
  { id: "ct-autumn-osmanthus-launch", publishedAt: "2025-09-05", weight: 3 },
  { id: "ct-tea-origin-story", publishedAt: "2025-09-20", weight: 1 },
  { id: "ct-double11-preview", publishedAt: "2025-10-28", weight: 4 },
  { id: "ct-winter-warm-drinks", publishedAt: "2025-11-25", weight: 2 },
  { id: "ct-member-story-barista", publishedAt: "2025-12-15", weight: 1 },
  { id: "ct-spring-festival-gift-box", publishedAt: "2026-01-20", weight: 3 },
  { id: "ct-low-sugar-guide", publishedAt: "2026-03-10", weight: 2 },
  { id: "ct-spring-sakura-launch", publishedAt: "2026-03-25", weight: 3 },
  { id: "ct-618-member-week", publishedAt: "2026-06-01", weight: 4 },
  { id: "ct-summer-fruit-tea", publishedAt: "2026-06-25", weight: 3 },
  { id: "ct-coffee-bean-report", publishedAt: "2026-08-10", weight: 1 },
  { id: "ct-mid-autumn-mooncake", publishedAt: "2026-09-10", weight: 3 },
  { id: "ct-ugc-latte-art", publishedAt: "2026-10-08", weight: 2 },
];

/** Campaign windows (Shanghai dates, inclusive) that orders and messages refer to. */
export const CAMPAIGNS: readonly { id: string; from: string; to: string }[] = [
  { id: "cp-2025-double11", from: "2025-10-28", to: "2025-11-11" },
  { id: "cp-2025-1212", from: "2025-12-10", to: "2025-12-12" },
  { id: "cp-2026-spring-festival", from: "2026-01-26", to: "2026-02-16" },
  { id: "cp-2026-520", from: "2026-05-18", to: "2026-05-20" },
  { id: "cp-2026-618", from: "2026-06-01", to: "2026-06-18" },
  { id: "cp-2026-qixi", from: "2026-08-17", to: "2026-08-19" },
  { id: "cp-2026-mid-autumn", from: "2026-09-20", to: "2026-10-07" },
];

export const REDEMPTION_REWARDS: readonly (readonly [string, number])[] = [
  ["积分兑换: 5元无门槛券", 100],
  ["积分兑换: 任意中杯饮品", 300],
  ["积分兑换: 升杯券", 60],
  ["积分兑换: 品牌帆布袋", 500],
  ["积分兑换: 肉松小贝", 150],
];

export const REFUND_REASONS: readonly string[] = ["出餐太慢,取消订单", "饮品洒漏", "做错口味", "重复下单", "门店缺货", "配送超时"];

/**
 * Day multipliers for sign-ups and orders in Shanghai local dates: Double 11, 12.12, the weeks
 * before Spring Festival (2026-02-17) and the quiet holiday itself, 520, 618, Qixi, Mid-Autumn
 * and National Day, plus summer (cold drinks) for orders.
 */
export function seasonality(localDate: string, kind: "JOIN" | "ORDER"): number {
  const md = localDate.slice(5);
  const day = new Date(`${localDate}T00:00:00Z`).getUTCDay();
  let m = day === 0 || day === 6 ? 1.15 : 1;
  if (localDate === "2025-11-11") m *= 3.2;
  else if (localDate >= "2025-11-01" && localDate <= "2025-11-10") m *= 2;
  else if (localDate >= "2025-10-20" && localDate <= "2025-10-31") m *= 1.3;
  else if (localDate >= "2025-12-10" && localDate <= "2025-12-12") m *= 1.5;
  else if (localDate >= "2026-01-26" && localDate <= "2026-02-14") m *= kind === "JOIN" ? 1.6 : 1.4;
  else if (localDate >= "2026-02-15" && localDate <= "2026-02-23") m *= 0.6;
  else if (localDate >= "2026-05-18" && localDate <= "2026-05-20") m *= 1.5;
  else if (localDate === "2026-06-18") m *= 3;
  else if (localDate >= "2026-06-01" && localDate <= "2026-06-17") m *= 1.8;
  else if (localDate >= "2026-08-17" && localDate <= "2026-08-19") m *= 1.4;
  else if (localDate >= "2026-10-01" && localDate <= "2026-10-07") m *= 1.3;
  if (kind === "ORDER" && md >= "06-20" && md <= "08-31") m *= 1.25;
  if (kind === "ORDER" && (md >= "12-20" || md <= "01-15")) m *= 0.9;
  return m;
}

/** Hours of the day (Shanghai) when people sign up or order: commute, lunch, afternoon tea, evening. */
export const HOUR_WEIGHTS: readonly (readonly [number, number])[] = [
  [7, 2], [8, 5], [9, 5], [10, 6], [11, 7], [12, 9], [13, 9], [14, 10], [15, 12], [16, 10],
  [17, 7], [18, 6], [19, 8], [20, 8], [21, 6], [22, 3], [23, 1],
];
