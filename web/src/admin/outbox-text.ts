// outbox-text.ts - the words of the integration (outbox) admin page in Vietnamese and English,
// kept beside the page, which loads lazily, instead of in the first chunk's catalogue.
import { getLang } from '../lib/i18n';

const vi = {
  'ob.title': 'Liên thông – hàng đợi gửi đi',
  'ob.lead': 'Các thông điệp hệ thống gửi sang Cổng Dịch vụ công Quốc gia và các kênh thông báo cho công dân. Thông điệp dừng gửi giữ lại các thông điệp sau của cùng hồ sơ cho đến khi được thử lại.',
  'ob.health': 'Tình trạng liên thông',
  'ob.health_at': 'Số liệu lúc {t}',
  'ob.refresh': 'Làm mới',
  'ob.pending': 'Đang chờ gửi',
  'ob.dead': 'Dừng gửi (lỗi)',
  'ob.oldest': 'Thông điệp chờ lâu nhất',
  'ob.none_waiting': 'không có',
  'ob.targets': 'Theo đích gửi',
  'ob.target': 'Đích',
  'ob.delivered': 'Đã chuyển',
  'ob.failures': 'Lần gửi lỗi',
  'ob.dead_lettered': 'Chuyển sang dừng gửi',
  'ob.latency': 'Độ trễ trung bình',
  'ob.attempt_time': 'Thời gian gọi trung bình',
  'ob.counters_note': 'Số lần chuyển, lỗi và độ trễ được đếm trên máy chủ này từ lần khởi động gần nhất; số đang chờ và dừng gửi đọc từ cơ sở dữ liệu.',
  'ob.no_dispatcher': 'Máy chủ này không chạy bộ gửi (chưa cấu hình dvcqg.url hay kênh thông báo): các thông điệp đang chờ và sẽ được gửi theo đúng thứ tự khi bật kết nối.',
  'ob.target.dvcqg': 'Cổng DVC Quốc gia',
  'ob.target.notify': 'Thông báo công dân',
  'ob.messages': 'Thông điệp',
  'ob.filter_status': 'Trạng thái',
  'ob.filter_target': 'Đích gửi',
  'ob.filter_key': 'Mã hồ sơ',
  'ob.filter_key_hint': 'Thông báo cho công dân có khóa notify:<mã hồ sơ>',
  'ob.filter': 'Lọc',
  'ob.status.pending': 'Đang chờ gửi',
  'ob.status.delivered': 'Đã chuyển',
  'ob.status.dead': 'Dừng gửi',
  'ob.id': 'Số',
  'ob.topic': 'Loại',
  'ob.key': 'Khóa (hồ sơ)',
  'ob.status': 'Trạng thái',
  'ob.attempts': 'Số lần gửi',
  'ob.created': 'Tạo lúc',
  'ob.done': 'Xong lúc',
  'ob.next_attempt': 'Gửi lần tới',
  'ob.last_error': 'Lỗi gần nhất',
  'ob.empty': 'Không có thông điệp nào khớp bộ lọc.',
  'ob.shown': 'Đang hiện {n} thông điệp{more}',
  'ob.message': 'Thông điệp số {id}',
  'ob.back': 'Về danh sách thông điệp',
  'ob.payload': 'Nội dung gửi (JSON)',
  'ob.latency_one': 'Độ trễ (từ lúc tạo đến lúc chuyển)',
  'ob.claimed': 'Đang được gửi bởi',
  'ob.claimed_until': 'đến {t}',
  'ob.replay_of': 'Gửi lại của thông điệp',
  'ob.auto': 'Thông điệp đang chờ gửi – trang tự cập nhật.',
  'ob.retry': 'Thử gửi lại',
  'ob.replay': 'Gửi lại lần nữa',
  'ob.retry_q': 'Đưa thông điệp số {id} trở lại hàng đợi (số lần gửi tính lại từ đầu)? Các thông điệp sau của hồ sơ này sẽ được gửi tiếp theo thứ tự.',
  'ob.replay_q': 'Gửi lại thông điệp số {id} thành một thông điệp mới, xếp sau mọi thông điệp của hồ sơ này?',
  'ob.confirm': 'Xác nhận',
  'ob.retried': 'Đã đưa thông điệp số {id} trở lại hàng đợi.',
  'ob.replayed': 'Đã tạo thông điệp mới số {id} để gửi lại.',
  'ob.open_new': 'Xem thông điệp mới',
  'ob.none': '—',
  'ob.sec': '{n} giây',
  'ob.min': '{m} phút {s} giây',
  'ob.hour': '{h} giờ {m} phút',
  'ob.day': '{d} ngày {h} giờ',
} as const;

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  'ob.title': 'Integration – outgoing queue',
  'ob.lead': 'Messages sent to the National Public Service Portal and on the citizen notification channels. A dead message holds back the later messages of its dossier until it is retried.',
  'ob.health': 'Health of the integrations',
  'ob.health_at': 'Figures as of {t}',
  'ob.refresh': 'Refresh',
  'ob.pending': 'Waiting to be sent',
  'ob.dead': 'Dead letters',
  'ob.oldest': 'Oldest waiting message',
  'ob.none_waiting': 'none',
  'ob.targets': 'Per target',
  'ob.target': 'Target',
  'ob.delivered': 'Delivered',
  'ob.failures': 'Failed attempts',
  'ob.dead_lettered': 'Dead-lettered',
  'ob.latency': 'Average latency',
  'ob.attempt_time': 'Average call time',
  'ob.counters_note': 'Deliveries, failures and latency are counted on this server since it last started; waiting and dead messages are read from the database.',
  'ob.no_dispatcher': 'No dispatcher runs on this server (neither dvcqg.url nor a notification channel is configured): messages wait and are sent in order once a connection is turned on.',
  'ob.target.dvcqg': 'National portal',
  'ob.target.notify': 'Citizen notifications',
  'ob.messages': 'Messages',
  'ob.filter_status': 'Status',
  'ob.filter_target': 'Target',
  'ob.filter_key': 'Dossier code',
  'ob.filter_key_hint': 'Citizen notifications have the key notify:<dossier code>',
  'ob.filter': 'Filter',
  'ob.status.pending': 'Waiting',
  'ob.status.delivered': 'Delivered',
  'ob.status.dead': 'Dead',
  'ob.id': 'No.',
  'ob.topic': 'Kind',
  'ob.key': 'Key (dossier)',
  'ob.status': 'Status',
  'ob.attempts': 'Attempts',
  'ob.created': 'Created',
  'ob.done': 'Done',
  'ob.next_attempt': 'Next attempt',
  'ob.last_error': 'Last error',
  'ob.empty': 'No message matches the filter.',
  'ob.shown': 'Showing {n} messages{more}',
  'ob.message': 'Message no. {id}',
  'ob.back': 'Back to the messages',
  'ob.payload': 'Payload (JSON)',
  'ob.latency_one': 'Latency (creation to delivery)',
  'ob.claimed': 'Being sent by',
  'ob.claimed_until': 'until {t}',
  'ob.replay_of': 'Replay of message',
  'ob.auto': 'The message is waiting to be sent – this page updates itself.',
  'ob.retry': 'Retry',
  'ob.replay': 'Send again',
  'ob.retry_q': 'Put message no. {id} back in the queue (attempts counted from zero)? The later messages of its dossier follow in order.',
  'ob.replay_q': 'Send message no. {id} again as a new message, queued after everything of its dossier?',
  'ob.confirm': 'Confirm',
  'ob.retried': 'Message no. {id} is back in the queue.',
  'ob.replayed': 'New message no. {id} created to send it again.',
  'ob.open_new': 'Open the new message',
  'ob.none': '—',
  'ob.sec': '{n} s',
  'ob.min': '{m} min {s} s',
  'ob.hour': '{h} h {m} min',
  'ob.day': '{d} d {h} h',
};

export type ObKey = Key;

export function tx(key: Key, vars?: Record<string, string | number>): string {
  const m: string = getLang() === 'en' ? en[key] : vi[key];
  return vars ? m.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`)) : m;
}

/** A waiting time in seconds in words: "45 giây", "3 phút 5 giây", "2 giờ 10 phút", "1 ngày 4 giờ". */
export function age(s: number): string {
  const n = Math.max(0, Math.floor(s));
  if (n < 60) return tx('ob.sec', { n });
  if (n < 3600) return tx('ob.min', { m: Math.floor(n / 60), s: n % 60 });
  if (n < 86400) return tx('ob.hour', { h: Math.floor(n / 3600), m: Math.floor((n % 3600) / 60) });
  return tx('ob.day', { d: Math.floor(n / 86400), h: Math.floor((n % 86400) / 3600) });
}

/** Seconds with up to 2 decimals in the page's language ("1,25 giây" / "1.25 s"); null: "—". */
export function secs(v: number | null | undefined): string {
  if (v === null || v === undefined) return tx('ob.none');
  const x = v.toLocaleString(getLang() === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 2 });
  return getLang() === 'en' ? `${x} s` : `${x} giây`;
}

/** The target's name in words when known ("dvcqg" -> "Cổng DVC Quốc gia"), else as given. */
export function targetName(name: string): string {
  return name === 'dvcqg' || name === 'notify' ? tx(`ob.target.${name}` as Key) : name;
}
