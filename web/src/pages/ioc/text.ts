// text.ts - the words of the operations-centre and public statistics pages in Vietnamese and
// English (kept beside the pages, which load lazily, instead of in the first chunk's catalogue).
import { getLang } from '../../lib/i18n';

const vi = {
  'ioc.title': 'Trung tâm điều hành – giải quyết thủ tục hành chính',
  'ioc.live': 'Trực tiếp',
  'ioc.offline': 'Mất kết nối trực tiếp – đang thử lại',
  'ioc.connecting': 'Đang kết nối…',
  'ioc.updated': 'Cập nhật lúc {t}',
  'ioc.period': 'Kỳ báo cáo',
  'ioc.period.month': 'Tháng (Nghị định 09)',
  'ioc.period.quarter': 'Quý',
  'ioc.period.year': 'Năm',
  'ioc.today': 'Hôm nay',
  'ioc.this_period': 'Trong kỳ',
  'ioc.received_today': 'Tiếp nhận hôm nay',
  'ioc.received_period': 'Tiếp nhận trong kỳ',
  'ioc.online_share': 'Tỷ lệ trực tuyến',
  'ioc.on_time_rate': 'Tỷ lệ đúng hạn',
  'ioc.overdue_now': 'Đang quá hạn',
  'ioc.score766': 'Điểm Bộ chỉ số 766',
  'ioc.score_of': 'trên {max} điểm tính được; {na} điểm chưa tính',
  'ioc.resolved': 'đã giải quyết {n}',
  'ioc.submitted_today': 'nộp mới {n}',
  'ioc.online_of': '{n} hồ sơ trực tuyến',
  'ioc.late_of': '{n} quá hạn trong kỳ',
  'ioc.in_progress': 'đang giải quyết {n}',
  'ioc.trend': 'Diễn biến 30 ngày',
  'ioc.trend.received': 'Tiếp nhận',
  'ioc.trend.resolved': 'Giải quyết',
  'ioc.trend.late': 'Quá hạn',
  'ioc.units': 'Đơn vị theo tỷ lệ đúng hạn',
  'ioc.legend': 'Màu: xanh ≥ 95 %, vàng 80–95 %, đỏ < 80 %, xám: chưa có hồ sơ giải quyết',
  'ioc.unit_line': '{res} đã giải quyết · {od} đang quá hạn',
  'ioc.no_rate': 'chưa có',
  'ioc.events': 'Sự kiện mới nhất',
  'ioc.no_events': 'Chưa có sự kiện.',
  'ioc.top_procs': 'Thủ tục trễ hạn nhiều nhất',
  'ioc.top_units': 'Đơn vị trễ hạn nhiều nhất',
  'ioc.none_late': 'Không có hồ sơ trễ hạn trong kỳ.',
  'ioc.late_n': '{late} trễ / {res} giải quyết',
  'ioc.chart_loading': 'Đang tải biểu đồ…',
  'ioc.procedure': 'Thủ tục',
  'ioc.late': 'Trễ hạn',
  'pub.title': 'Số liệu giải quyết thủ tục hành chính',
  'pub.lead': 'Số liệu công khai của tỉnh theo kỳ báo cáo (Nghị định 09/2019/NĐ-CP), tính từ hệ thống một cửa điện tử. Không chứa thông tin cá nhân.',
  'pub.as_of': 'Số liệu tính đến {t}',
  'pub.received': 'Hồ sơ tiếp nhận mới',
  'pub.carried': 'Kỳ trước chuyển sang',
  'pub.online': 'Nộp trực tuyến',
  'pub.resolved': 'Đã giải quyết',
  'pub.on_time': 'Giải quyết đúng hạn',
  'pub.late': 'Giải quyết quá hạn',
  'pub.in_progress': 'Đang giải quyết',
  'pub.overdue': 'Đang quá hạn',
  'pub.satisfied': 'Đánh giá hài lòng',
  'pub.levels': 'Theo cấp',
  'pub.level': 'Cấp',
  'pub.total': 'Toàn tỉnh',
  'pub.rated': '{s} / {n} lượt đánh giá',
  'pub.no_data': 'chưa có',
  'pub.show': 'Xem',
} as const;

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  'ioc.title': 'Operations centre – administrative procedures',
  'ioc.live': 'Live',
  'ioc.offline': 'Live connection lost – retrying',
  'ioc.connecting': 'Connecting…',
  'ioc.updated': 'Updated at {t}',
  'ioc.period': 'Reporting period',
  'ioc.period.month': 'Month (Decree 09)',
  'ioc.period.quarter': 'Quarter',
  'ioc.period.year': 'Year',
  'ioc.today': 'Today',
  'ioc.this_period': 'This period',
  'ioc.received_today': 'Received today',
  'ioc.received_period': 'Received this period',
  'ioc.online_share': 'Online share',
  'ioc.on_time_rate': 'On-time rate',
  'ioc.overdue_now': 'Overdue now',
  'ioc.score766': 'Decision 766 score',
  'ioc.score_of': 'of {max} computable points; {na} points not computed',
  'ioc.resolved': '{n} resolved',
  'ioc.submitted_today': '{n} newly submitted',
  'ioc.online_of': '{n} online dossiers',
  'ioc.late_of': '{n} late this period',
  'ioc.in_progress': '{n} in progress',
  'ioc.trend': 'Last 30 days',
  'ioc.trend.received': 'Received',
  'ioc.trend.resolved': 'Resolved',
  'ioc.trend.late': 'Late',
  'ioc.units': 'Units by on-time rate',
  'ioc.legend': 'Colour: green ≥ 95 %, amber 80–95 %, red < 80 %, grey: nothing resolved yet',
  'ioc.unit_line': '{res} resolved · {od} overdue now',
  'ioc.no_rate': 'n/a',
  'ioc.events': 'Latest events',
  'ioc.no_events': 'No events yet.',
  'ioc.top_procs': 'Procedures most often late',
  'ioc.top_units': 'Units most often late',
  'ioc.none_late': 'Nothing resolved late this period.',
  'ioc.late_n': '{late} late / {res} resolved',
  'ioc.chart_loading': 'Loading chart…',
  'ioc.procedure': 'Procedure',
  'ioc.late': 'Late',
  'pub.title': 'Administrative procedure statistics',
  'pub.lead': "The province's published figures per reporting period (Decree 09/2019), computed from the one-stop system. No personal data.",
  'pub.as_of': 'Figures as of {t}',
  'pub.received': 'Newly received',
  'pub.carried': 'Carried over',
  'pub.online': 'Submitted online',
  'pub.resolved': 'Resolved',
  'pub.on_time': 'Resolved on time',
  'pub.late': 'Resolved late',
  'pub.in_progress': 'In progress',
  'pub.overdue': 'Overdue now',
  'pub.satisfied': 'Satisfied ratings',
  'pub.levels': 'By level',
  'pub.level': 'Level',
  'pub.total': 'Whole province',
  'pub.rated': '{s} of {n} ratings',
  'pub.no_data': 'n/a',
  'pub.show': 'Show',
};

export function tx(key: Key, vars?: Record<string, string | number>): string {
  const m: string = getLang() === 'en' ? en[key] : vi[key];
  return vars ? m.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`)) : m;
}

/** 0.9512 -> "95,1 %" (vi) / "95.1 %" (en); null -> the "no data" word. */
export function pct(r: number | null | undefined, none: string): string {
  if (r === null || r === undefined) return none;
  return (r * 100).toLocaleString(getLang() === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 1 }) + ' %';
}

export function num(n: number | null | undefined): string {
  return (n ?? 0).toLocaleString(getLang() === 'en' ? 'en-GB' : 'vi-VN');
}

/** 20261122 -> "22/11" */
export function dayLabel(ymd: number): string {
  const d = ymd % 100;
  const m = Math.floor(ymd / 100) % 100;
  return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}`;
}

/** 20261122 -> "22/11/2026" */
export function dateLabel(ymd: number): string {
  return `${dayLabel(ymd)}/${Math.floor(ymd / 10000)}`;
}

/** Decree 09 periods containing the day: month m runs from the 15th of m-1 to the 14th of m,
 * the year from 15 December of the year before. */
export function periodsOf(now: Date): { month: string; quarter: string; year: string } {
  // the local (UTC+7) calendar day
  const v = new Date(now.getTime() + 7 * 3600 * 1000);
  let y = v.getUTCFullYear();
  let m = v.getUTCMonth() + 1;
  if (v.getUTCDate() >= 15) m += 1;
  if (m === 13) {
    m = 1;
    y += 1;
  }
  return { month: `month:${y}-${String(m).padStart(2, '0')}`, quarter: `quarter:${y}-${Math.ceil(m / 3)}`, year: `year:${y}` };
}

/** Colour class of an on-time rate (the thresholds of the legend 'ioc.legend'). */
export function rateClass(r: number | null | undefined): string {
  if (r === null || r === undefined) return 'r-none';
  if (r >= 0.95) return 'r-good';
  if (r >= 0.8) return 'r-mid';
  return 'r-bad';
}
