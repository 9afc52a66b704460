/* err.h - the one table of error codes: machine code, HTTP status, Vietnamese title.
 * Every function returns 0 or a negative enum ts_err; details travel in struct ts_error
 * and leave the server as one application/problem+json shape (http/problem.c). */
#ifndef TS_BASE_ERR_H
#define TS_BASE_ERR_H

#include <stddef.h>

/* X(NAME, http status, stable machine code, Vietnamese title for people) */
#define TS_ERR_TABLE(X)                                                                        \
	X(INTERNAL, 500, "internal_error", "Lỗi hệ thống, vui lòng thử lại sau")              \
	X(NOMEM, 503, "out_of_memory", "Hệ thống tạm thời quá tải, vui lòng thử lại sau")     \
	X(BAD_REQUEST, 400, "bad_request", "Yêu cầu không hợp lệ")                              \
	X(BAD_JSON, 400, "invalid_json", "Dữ liệu gửi lên không phải JSON hợp lệ")              \
	X(VALIDATION, 422, "validation_failed", "Dữ liệu không hợp lệ")                         \
	X(UNKNOWN_FIELD, 422, "unknown_field", "Trường dữ liệu không được hỗ trợ")              \
	X(MISSING_FIELD, 422, "missing_field", "Thiếu thông tin bắt buộc")                      \
	X(WEAK_PASSWORD, 422, "weak_password", "Mật khẩu chưa đủ mạnh")                         \
	X(TOO_LARGE, 413, "payload_too_large", "Dữ liệu gửi lên quá lớn")                       \
	X(UNSUPPORTED_MEDIA, 415, "unsupported_media_type", "Định dạng dữ liệu không được hỗ trợ") \
	X(NOT_ACCEPTABLE, 406, "not_acceptable", "Không trả lời được theo định dạng yêu cầu")     \
	X(UNAUTHENTICATED, 401, "unauthenticated", "Vui lòng đăng nhập")                        \
	X(BAD_CREDENTIALS, 401, "invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng") \
	X(TOTP_REQUIRED, 401, "totp_required", "Vui lòng nhập mã xác thực hai lớp (TOTP)")      \
	X(ACCOUNT_LOCKED, 403, "account_locked", "Tài khoản đã bị tạm khóa do đăng nhập sai nhiều lần") \
	X(FORBIDDEN, 403, "forbidden", "Bạn không có quyền thực hiện thao tác này")             \
	X(CSRF, 403, "csrf_failed", "Phiên làm việc không hợp lệ, vui lòng tải lại trang")     \
	X(NOT_FOUND, 404, "not_found", "Không tìm thấy")                                       \
	X(METHOD, 405, "method_not_allowed", "Phương thức không được hỗ trợ")                   \
	X(CONFLICT, 409, "conflict", "Dữ liệu đã tồn tại hoặc vừa bị thay đổi")                 \
	X(THROTTLED, 429, "too_many_requests", "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút") \
	X(DB, 500, "database_error", "Lỗi cơ sở dữ liệu, vui lòng thử lại sau")                 \
	X(DB_BUSY, 503, "database_busy", "Hệ thống đang bận, vui lòng thử lại")                 \
	X(UNAVAILABLE, 503, "unavailable", "Dịch vụ tạm thời không sẵn sàng")                   \
	X(IO, 500, "io_error", "Lỗi đọc ghi dữ liệu")                                          \
	X(CONFIG, 500, "config_invalid", "Cấu hình không hợp lệ")                               \
	X(FILE_INFECTED, 422, "file_infected", "Tệp có chứa mã độc, không được chấp nhận")       \
	X(SCANNER_DOWN, 503, "scanner_unavailable", "Chưa kiểm tra được virus, vui lòng gửi lại sau") \
	X(FILE_HELD, 409, "file_held", "Tệp đang chờ kiểm tra virus, chưa tải xuống được")

enum ts_err {
	TS_OK = 0,
#define X(name, status, code, title) TS_ERR_##name,
	TS_ERR__FIRST_ = -1000,
	TS_ERR_TABLE(X)
#undef X
	TS_ERR__END_
};

/* Details of the last failure, filled by the function that failed first (later setters
 * keep the first). Caller-owned, usually on the stack or in the request. */
struct ts_error {
	int code;          /* enum ts_err, 0 when nothing failed */
	char field[64];    /* offending field ("" if none), JSON-pointer-like: "items/2/name" */
	char detail[256];  /* Vietnamese sentence for people, specific to this failure */
};

/* Records the failure in err (if err and no failure recorded yet) and returns code, so
 * callers can write `return ts_error_set(err, TS_ERR_VALIDATION, "phone", "...")`.
 * field and fmt may be NULL. */
int ts_error_set(struct ts_error *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Clears err. */
void ts_error_clear(struct ts_error *err);

/* Table lookups; unknown codes map to INTERNAL. Returned strings are static. */
int ts_err_status(int code);
const char *ts_err_code(int code);
const char *ts_err_title(int code);

#endif
