/* routes.c - THE route table: method, path, handler, required permission, flags, request
 * spec. The dispatcher enforces authentication, permission, CSRF, body limits and audit
 * from it, and sends TS_ROUTE_REPLICA reads to the read replica when one is configured; the OpenAPI description and docs/permissions.md's test are derived from it. */
#include "app/app.h"
#include "attach/attach.h"
#include "calendar/calendar.h"
#include "catalog/catalog.h"
#include "dossier/dossier.h"
#include "dvcqg/dvcqg.h"
#include "dvcqg/identity.h"
#include "flow/flow.h"
#include "forms/forms.h"
#include "iam/iam.h"
#include "org/org.h"
#include "outbox/notify.h"
#include "outbox/outbox.h"
#include "stats/stats.h"

#define R(m, p, h, perm, fl, spec, tag, sum) {m, p, h, TS_PERM_##perm, fl, spec, tag, sum, NULL}
/* a streamed multipart body: open() runs once the headers are in, handler once it is read */
#define RS(m, p, open, h, perm, tag, sum) {m, p, h, TS_PERM_##perm, TS_ROUTE_STREAM, NULL, tag, sum, open}
/* ... counted by the upload abuse limits */
#define RSL(m, p, open, h, perm, tag, sum)                                                         \
	{m, p, h, TS_PERM_##perm, TS_ROUTE_STREAM | TS_ROUTE_LIMIT_UPLOAD, NULL, tag, sum, open}

const struct ts_route ts_routes[] = {
	R("GET", "/healthz", ts_app_http_healthz, PUBLIC, 0, NULL, "system", "Máy chủ đang chạy"),
	R("GET", "/readyz", ts_app_http_readyz, PUBLIC, 0, NULL, "system", "Sẵn sàng phục vụ (cơ sở dữ liệu truy cập được)"),
	R("GET", "/metrics", ts_app_http_metrics, METRICS_READ, 0, NULL, "system", "Số liệu vận hành (Prometheus)"),
	R("GET", "/api/openapi.json", ts_app_http_openapi, PUBLIC, 0, NULL, "system", "Mô tả API (OpenAPI 3.1)"),
	R("GET", "/api/docs", ts_app_http_docs, PUBLIC, 0, NULL, "system", "Trang mô tả API"),

	R("POST", "/api/v1/auth/login", ts_iam_http_login, PUBLIC, TS_ROUTE_CSRF_EXEMPT | TS_ROUTE_LIMIT_LOGIN, &ts_iam_spec_login, "auth", "Đăng nhập"),
	R("POST", "/api/v1/auth/logout", ts_iam_http_logout, AUTHENTICATED, 0, NULL, "auth", "Đăng xuất"),
	R("GET", "/api/v1/auth/me", ts_iam_http_me, AUTHENTICATED, 0, NULL, "auth", "Tài khoản đang đăng nhập"),
	R("POST", "/api/v1/auth/register/citizen", ts_iam_http_register_citizen, PUBLIC, TS_ROUTE_CSRF_EXEMPT | TS_ROUTE_LIMIT_REGISTER, &ts_iam_spec_register_citizen, "auth", "Công dân đăng ký tài khoản"),
	R("POST", "/api/v1/auth/register/business", ts_iam_http_register_business, PUBLIC, TS_ROUTE_CSRF_EXEMPT | TS_ROUTE_LIMIT_REGISTER, &ts_iam_spec_register_business, "auth", "Doanh nghiệp đăng ký tài khoản"),
	R("GET", "/api/v1/auth/sessions", ts_iam_http_sessions_list, AUTHENTICATED, 0, NULL, "auth", "Các phiên đăng nhập của tôi"),
	R("DELETE", "/api/v1/auth/sessions/{id}", ts_iam_http_session_revoke, AUTHENTICATED, 0, NULL, "auth", "Thu hồi một phiên đăng nhập của tôi"),
	R("POST", "/api/v1/auth/totp/enrol", ts_iam_http_totp_enrol, AUTHENTICATED, 0, NULL, "auth", "Đăng ký xác thực hai lớp (TOTP): tạo mã bí mật"),
	R("POST", "/api/v1/auth/totp/confirm", ts_iam_http_totp_confirm, AUTHENTICATED, TS_ROUTE_LIMIT_LOGIN, &ts_iam_spec_totp_confirm, "auth", "Xác nhận xác thực hai lớp bằng mã đầu tiên"),
	R("POST", "/api/v1/auth/password", ts_iam_http_password_change, AUTHENTICATED, 0, &ts_iam_spec_password_change, "auth", "Đổi mật khẩu"),

	R("GET", "/api/v1/accounts", ts_iam_http_accounts_list, ACCOUNT_READ, 0, NULL, "accounts", "Danh sách tài khoản cán bộ"),
	R("POST", "/api/v1/accounts", ts_iam_http_account_create, ACCOUNT_WRITE, 0, &ts_iam_spec_account_create, "accounts", "Tạo tài khoản cán bộ"),
	R("GET", "/api/v1/accounts/{id}", ts_iam_http_account_get, ACCOUNT_READ, 0, NULL, "accounts", "Xem tài khoản"),
	R("PATCH", "/api/v1/accounts/{id}", ts_iam_http_account_update, ACCOUNT_WRITE, 0, &ts_iam_spec_account_update, "accounts", "Sửa, khóa tài khoản"),
	R("POST", "/api/v1/accounts/{id}/revoke-sessions", ts_iam_http_account_sessions_revoke, ACCOUNT_WRITE, 0, NULL, "accounts", "Thu hồi mọi phiên của tài khoản"),
	R("POST", "/api/v1/accounts/{id}/unlock", ts_iam_http_account_unlock, ACCOUNT_WRITE, 0, NULL, "accounts", "Mở khóa tài khoản bị khóa do đăng nhập sai"),
	R("POST", "/api/v1/accounts/{id}/totp-reset", ts_iam_http_account_totp_reset, ACCOUNT_WRITE, 0, NULL, "accounts", "Đặt lại xác thực hai lớp (mất thiết bị)"),
	R("POST", "/api/v1/accounts/{id}/grants", ts_iam_http_grant_add, ROLE_GRANT, 0, &ts_iam_spec_grant, "accounts", "Giao vai trò trên một đơn vị"),
	R("DELETE", "/api/v1/accounts/{id}/grants/{grant_id}", ts_iam_http_grant_remove, ROLE_GRANT, 0, NULL, "accounts", "Thu hồi vai trò"),

	R("GET", "/api/v1/api-clients", ts_iam_http_api_clients_list, APIKEY_MANAGE, 0, NULL, "api-clients", "Danh sách khóa API của hệ thống kết nối"),
	R("POST", "/api/v1/api-clients", ts_iam_http_api_client_create, APIKEY_MANAGE, 0, &ts_iam_spec_api_client_create, "api-clients", "Cấp khóa API (hiển thị một lần)"),
	R("DELETE", "/api/v1/api-clients/{id}", ts_iam_http_api_client_revoke, APIKEY_MANAGE, 0, NULL, "api-clients", "Thu hồi khóa API"),

	R("GET", "/api/v1/audit", ts_iam_http_audit_list, AUDIT_READ, 0, NULL, "audit", "Nhật ký kiểm toán"),
	R("GET", "/api/v1/audit/verify", ts_iam_http_audit_verify, AUDIT_READ, 0, NULL, "audit", "Kiểm tra chuỗi băm của nhật ký"),

	R("GET", "/api/v1/units", ts_org_http_units_list, PUBLIC, TS_ROUTE_REPLICA, NULL, "units", "Danh sách đơn vị"),
	R("POST", "/api/v1/units", ts_org_http_unit_create, ORG_WRITE, 0, &ts_org_spec_unit_create, "units", "Tạo đơn vị"),
	R("GET", "/api/v1/units/{id}", ts_org_http_unit_get, PUBLIC, TS_ROUTE_REPLICA, NULL, "units", "Xem đơn vị"),
	R("PATCH", "/api/v1/units/{id}", ts_org_http_unit_update, ORG_WRITE, 0, &ts_org_spec_unit_update, "units", "Sửa, giải thể, sáp nhập đơn vị"),
	R("GET", "/api/v1/units/{id}/subtree", ts_org_http_unit_subtree, PUBLIC, TS_ROUTE_REPLICA, NULL, "units", "Cây đơn vị trực thuộc"),

	R("GET", "/api/v1/calendar/due", ts_cal_http_due, PUBLIC, TS_ROUTE_REPLICA, NULL, "calendar", "Tính hạn xử lý theo giờ làm việc, ngày làm việc hoặc ngày lịch"),
	R("GET", "/api/v1/calendar/days", ts_cal_http_days_list, PUBLIC, TS_ROUTE_REPLICA, NULL, "calendar", "Ngày nghỉ lễ, nghỉ bù, làm bù trong năm"),
	R("PUT", "/api/v1/calendar/days/{date}", ts_cal_http_day_set, CALENDAR_WRITE, 0, &ts_cal_spec_day_set, "calendar", "Đặt ngày nghỉ lễ, nghỉ bù, hoán đổi hoặc làm bù"),
	R("DELETE", "/api/v1/calendar/days/{date}", ts_cal_http_day_delete, CALENDAR_WRITE, 0, NULL, "calendar", "Xóa một ngày khỏi lịch nghỉ"),
	R("POST", "/api/v1/calendar/years/{year}/fill", ts_cal_http_year_fill, CALENDAR_WRITE, 0, NULL, "calendar", "Lập lịch nghỉ của năm theo gợi ý (giữ các ngày quản trị đã sửa)"),
	R("GET", "/api/v1/calendar/settings", ts_cal_http_hours_get, PUBLIC, TS_ROUTE_REPLICA, NULL, "calendar", "Giờ làm việc, ngày làm việc trong tuần, giờ chốt nhận hồ sơ"),
	R("PUT", "/api/v1/calendar/settings", ts_cal_http_hours_set, CALENDAR_WRITE, 0, &ts_cal_spec_hours_set, "calendar", "Đặt giờ làm việc"),

	R("POST", "/api/v1/dossiers", ts_dossier_http_submit, DOSSIER_SUBMIT, TS_ROUTE_LIMIT_SUBMIT, &ts_dossier_spec_submit, "dossiers", "Nộp hồ sơ trực tuyến"),
	R("POST", "/api/v1/dossiers/intake", ts_dossier_http_intake, DOSSIER_RECEIVE, 0, &ts_dossier_spec_intake, "dossiers", "Tiếp nhận hồ sơ tại bộ phận một cửa"),
	R("GET", "/api/v1/dossiers", ts_dossier_http_list, AUTHENTICATED, 0, NULL, "dossiers", "Danh sách hồ sơ cần xử lý / hồ sơ của tôi"),
	/* before {code}: the first matching row wins */
	R("GET", "/api/v1/dossiers/export.xlsx", ts_forms_http_queue, AUTHENTICATED, 0, NULL, "forms", "Xuất hàng đợi hồ sơ như đang hiển thị (XLSX; cùng bộ lọc với danh sách hồ sơ)"),
	R("GET", "/api/v1/dossiers/{code}", ts_dossier_http_get, AUTHENTICATED, 0, NULL, "dossiers", "Xem hồ sơ, lịch sử xử lý"),
	R("POST", "/api/v1/dossiers/{code}/actions/{action}", ts_dossier_http_action, AUTHENTICATED, 0, &ts_dossier_spec_action, "dossiers", "Thao tác trên hồ sơ (tiếp nhận, chuyển, bổ sung, trả kết quả...)"),
	R("GET", "/api/v1/dossiers/{code}/eligible-officers", ts_dossier_http_eligible, DOSSIER_READ, 0, NULL, "dossiers", "Cán bộ có thể nhận hồ sơ ở bước tiếp theo (hoặc bước ?step=)"),
	R("GET", "/api/v1/queues/counts", ts_dossier_http_queue_counts, DOSSIER_READ, 0, NULL, "dossiers", "Số hồ sơ trong từng hàng đợi của cán bộ"),
	R("POST", "/api/v1/persons/lookup", ts_dossier_http_person_lookup, DOSSIER_RECEIVE, 0, &ts_dossier_spec_person_lookup, "dossiers", "Tìm người nộp theo số định danh cá nhân / mã số thuế (tiếp nhận tại quầy)"),
	R("GET", "/api/v1/dossiers/{code}/control-slip", ts_dossier_http_control_slip, DOSSIER_READ, 0, NULL, "dossiers", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
	R("GET", "/api/v1/dossiers/{code}/views", ts_dossier_http_views, AUTHENTICATED, 0, NULL, "dossiers", "Ai đã xem hồ sơ của tôi và khi nào (chỉ người nộp)"),
	R("GET", "/api/v1/public/dossiers/{code}", ts_dossier_http_public, PUBLIC, TS_ROUTE_REPLICA | TS_ROUTE_LIMIT_LOOKUP, NULL, "dossiers", "Tra cứu tình trạng hồ sơ (không dữ liệu cá nhân)"),

	RSL("POST", "/api/v1/dossiers/{code}/files", ts_attach_http_upload_open, ts_attach_http_upload, AUTHENTICATED, "files", "Tải lên tệp của hồ sơ (multipart/form-data: file, component, kind, digitised, from_datastore)"),
	R("GET", "/api/v1/dossiers/{code}/files", ts_attach_http_list, AUTHENTICATED, 0, NULL, "files", "Danh sách tệp của hồ sơ (dung lượng, loại, mã băm SHA-256)"),
	R("GET", "/api/v1/dossiers/{code}/files/reusable", ts_attach_http_reusable, AUTHENTICATED, 0, NULL, "files", "Tệp trong các hồ sơ trước của cùng người nộp, có thể tái sử dụng"),
	R("POST", "/api/v1/dossiers/{code}/files/reuse", ts_attach_http_reuse, AUTHENTICATED, 0, &ts_attach_spec_reuse, "files", "Tái sử dụng tệp từ hồ sơ trước, không tải lên lại"),
	R("GET", "/api/v1/dossiers/{code}/files/{id}/content", ts_attach_http_download, AUTHENTICATED, 0, NULL, "files", "Tải xuống tệp của hồ sơ"),
	R("DELETE", "/api/v1/dossiers/{code}/files/{id}", ts_attach_http_remove, AUTHENTICATED, 0, NULL, "files", "Gỡ tệp khỏi hồ sơ"),
	R("GET", "/api/v1/dossiers/{code}/forms/{form}", ts_forms_http_pdf, AUTHENTICATED, 0, NULL, "forms", "Biểu mẫu in của hồ sơ (PDF): receipt, supplement, refusal, apology, stop, control-slip"),
	R("GET", "/api/v1/units/{id}/register", ts_forms_http_register, DOSSIER_READ, 0, NULL, "forms", "Sổ theo dõi hồ sơ của đơn vị trong kỳ (XLSX; from, to dạng YYYY-MM-DD)"),
	R("GET", "/api/v1/stats/report06", ts_stats_http_report06, STATS_READ, TS_ROUTE_REPLICA, NULL, "stats", "Biểu 06/VPCP/KSTT theo đơn vị và kỳ báo cáo (JSON, XLSX, PDF)"),
	R("GET", "/api/v1/stats/report06/drill", ts_stats_http_drill, STATS_READ, TS_ROUTE_REPLICA, NULL, "stats", "Danh sách hồ sơ của một ô số liệu"),
	R("GET", "/api/v1/stats/index766", ts_stats_http_index, STATS_READ, TS_ROUTE_REPLICA, NULL, "stats", "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)"),
	R("GET", "/api/v1/stats/rankings/units", ts_stats_http_rank_units, STATS_READ, TS_ROUTE_REPLICA, NULL, "stats", "Xếp hạng đơn vị"),
	R("GET", "/api/v1/stats/rankings/officers", ts_stats_http_rank_officers, STATS_READ, TS_ROUTE_REPLICA, NULL, "stats", "Xếp hạng cán bộ theo phiếu kiểm soát"),
	R("GET", "/api/v1/stats/officers/{id}/late", ts_stats_http_officer_late, STATS_READ, TS_ROUTE_REPLICA, NULL, "stats", "Các lần xử lý quá hạn của một cán bộ"),
	R("GET", "/api/v1/stats/ioc", ts_stats_http_ioc, STATS_READ, 0, NULL, "stats", "Số liệu trung tâm điều hành (IOC)"),
	R("GET", "/api/v1/stats/ioc/events", ts_stats_http_ioc_events, STATS_READ, 0, NULL, "stats", "Luồng sự kiện trực tiếp của trung tâm điều hành (Server-Sent Events)"),
	R("GET", "/api/v1/public/stats", ts_stats_http_public, PUBLIC, TS_ROUTE_REPLICA, NULL, "stats", "Số liệu giải quyết thủ tục hành chính công khai"),

	R("GET", "/api/v1/outbox", ts_outbox_http_list, OUTBOX_MANAGE, 0, NULL, "integration", "Danh sách thông điệp liên thông (outbox)"),
	R("GET", "/api/v1/outbox/health", ts_outbox_http_health, OUTBOX_MANAGE, 0, NULL, "integration", "Tình trạng liên thông: hàng đợi, thông điệp cũ nhất, độ trễ, lỗi theo đích"),
	R("GET", "/api/v1/outbox/{id}", ts_outbox_http_get, OUTBOX_MANAGE, 0, NULL, "integration", "Xem một thông điệp liên thông"),
	R("POST", "/api/v1/outbox/{id}/retry", ts_outbox_http_retry, OUTBOX_MANAGE, 0, NULL, "integration", "Thử gửi lại thông điệp đã dừng gửi"),
	R("POST", "/api/v1/outbox/{id}/replay", ts_outbox_http_replay, OUTBOX_MANAGE, 0, NULL, "integration", "Gửi lại một thông điệp đã chuyển"),
	R("GET", "/api/v1/notify/templates", ts_notify_http_templates, OUTBOX_MANAGE, 0, NULL, "integration", "Mẫu thông báo cho công dân"),
	R("PUT", "/api/v1/notify/templates/{event}/{channel}", ts_notify_http_template_set, OUTBOX_MANAGE, 0, &ts_notify_spec_template, "integration", "Sửa mẫu thông báo"),
	R("POST", "/api/v1/identity/lookup", ts_identity_http_lookup, DOSSIER_RECEIVE, 0, &ts_identity_spec_lookup, "integration", "Tra cứu Cơ sở dữ liệu quốc gia về dân cư để điền sẵn tờ khai"),
	R("GET", "/api/v1/dossiers/{code}/population-data", ts_identity_http_marked, DOSSIER_READ, 0, NULL, "integration", "Hồ sơ có sử dụng dữ liệu dân cư không"),
	R("POST", "/api/v1/dossiers/{code}/population-data", ts_identity_http_mark, DOSSIER_RECEIVE, 0, NULL, "integration", "Đánh dấu hồ sơ sử dụng dữ liệu dân cư"),
	R("POST", "/api/v1/dvcqg/intake", ts_dvcqg_http_intake, DVCQG_INTAKE, 0, &ts_dvcqg_spec_intake, "integration", "Nhận hồ sơ từ Cổng Dịch vụ công quốc gia"),

	R("GET", "/api/v1/procedures", ts_catalog_http_search, PUBLIC, TS_ROUTE_REPLICA, NULL, "procedures", "Tra cứu thủ tục hành chính (có dấu hoặc không dấu)"),
	R("GET", "/api/v1/procedure-fields", ts_catalog_http_fields, PUBLIC, TS_ROUTE_REPLICA, NULL, "procedures", "Các lĩnh vực thủ tục và số thủ tục mỗi lĩnh vực"),
	R("GET", "/api/v1/procedures/export", ts_catalog_http_export, PUBLIC, TS_ROUTE_REPLICA, NULL, "procedures", "Xuất danh mục thủ tục (JSON hoặc CSV)"),
	R("POST", "/api/v1/procedures/import", ts_catalog_http_import, CATALOG_WRITE, TS_ROUTE_BULK_BODY, &ts_catalog_spec_import, "procedures", "Nhập danh mục thủ tục (JSON, áp dụng tất cả hoặc không)"),
	R("POST", "/api/v1/procedures/import.csv", ts_catalog_http_import_csv, CATALOG_WRITE, TS_ROUTE_BULK_BODY | TS_ROUTE_CSV_BODY, NULL, "procedures", "Nhập danh mục thủ tục (CSV, áp dụng tất cả hoặc không)"),
	R("GET", "/api/v1/procedures/{code}", ts_catalog_http_get, PUBLIC, TS_ROUTE_REPLICA, NULL, "procedures", "Xem chi tiết thủ tục (phiên bản hiện hành)"),
	R("GET", "/api/v1/procedures/{code}/versions", ts_catalog_http_versions, PUBLIC, TS_ROUTE_REPLICA, NULL, "procedures", "Lịch sử các phiên bản của thủ tục"),
	R("GET", "/api/v1/procedures/{code}/flows", ts_flow_http_list, DOSSIER_READ, 0, NULL, "procedures", "Các quy trình đã ban hành của thủ tục"),
	R("POST", "/api/v1/procedures/{code}/flows", ts_flow_http_publish, FLOW_WRITE, 0, &ts_flow_spec_publish, "procedures", "Ban hành phiên bản quy trình (kiểm tra trước khi ban hành)"),
	R("GET", "/api/v1/procedure-versions/{id}", ts_catalog_http_version_get, PUBLIC, TS_ROUTE_REPLICA, NULL, "procedures", "Xem một phiên bản thủ tục"),
};

const size_t ts_nroutes = sizeof(ts_routes) / sizeof(ts_routes[0]);
