// text.ts - the words of the account security page (two-factor enrolment) in Vietnamese and
// English, kept beside the page, which loads lazily.
import { getLang } from '../../lib/i18n';

const vi = {
  'sec.title': 'Bảo mật tài khoản',
  'sec.lead': 'Xác thực hai lớp: ngoài mật khẩu, mỗi lần đăng nhập cần thêm mã 6 chữ số do ứng dụng xác thực trên điện thoại tạo ra (Google Authenticator, Microsoft Authenticator, FreeOTP...).',
  'sec.required': 'Vai trò của bạn bắt buộc dùng xác thực hai lớp. Hãy đăng ký để tiếp tục làm việc.',
  'sec.step1': 'Bước 1. Tạo mã bí mật',
  'sec.start': 'Tạo mã bí mật',
  'sec.again': 'Tạo mã khác',
  'sec.step2': 'Bước 2. Thêm vào ứng dụng xác thực',
  'sec.scan': 'Quét mã QR bằng ứng dụng, hoặc nhập mã bí mật dưới đây bằng tay. Mã chỉ hiện một lần.',
  'sec.qr': 'Mã QR để thêm tài khoản vào ứng dụng xác thực',
  'sec.secret': 'Mã bí mật',
  'sec.step3': 'Bước 3. Nhập mã ứng dụng hiển thị',
  'sec.code': 'Mã xác thực',
  'sec.code_hint': 'Sáu chữ số, đổi mỗi {p} giây',
  'sec.confirm': 'Bật xác thực hai lớp',
  'sec.done': 'Đã bật xác thực hai lớp. Từ lần đăng nhập sau, hãy nhập mã trên ứng dụng sau mật khẩu.',
  'sec.lost': 'Mất điện thoại? Nhờ quản trị viên đặt lại xác thực hai lớp cho tài khoản.',
  'sec.continue': 'Tiếp tục làm việc',
} as const;

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  'sec.title': 'Account security',
  'sec.lead': 'Two-factor authentication: besides the password, every sign-in needs a 6-digit code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, FreeOTP...).',
  'sec.required': 'Your role requires two-factor authentication. Enrol to go on working.',
  'sec.step1': 'Step 1. Create a secret',
  'sec.start': 'Create a secret',
  'sec.again': 'Create another secret',
  'sec.step2': 'Step 2. Add it to the authenticator app',
  'sec.scan': 'Scan the QR code with the app, or type the secret below. It is shown only once.',
  'sec.qr': 'QR code to add the account to an authenticator app',
  'sec.secret': 'Secret',
  'sec.step3': 'Step 3. Type the code the app shows',
  'sec.code': 'Verification code',
  'sec.code_hint': 'Six digits, changing every {p} seconds',
  'sec.confirm': 'Turn on two-factor authentication',
  'sec.done': 'Two-factor authentication is on. From your next sign-in, type the code of the app after the password.',
  'sec.lost': 'Lost your phone? Ask an administrator to reset the second factor of your account.',
  'sec.continue': 'Go on working',
};

export function tx(key: Key, vars?: Record<string, string | number>): string {
  const m: string = getLang() === 'en' ? en[key] : vi[key];
  return vars ? m.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`)) : m;
}

/** "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": groups of four, easier to type by hand. */
export function groupSecret(s: string): string {
  return (s.match(/.{1,4}/g) || []).join(' ');
}
