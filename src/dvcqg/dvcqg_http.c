/* dvcqg_http.c - the intake endpoint the national portal (or the integration platform on
 * its behalf) calls with an API key holding dvcqg.intake. Thin adapter over intake.c. */
#include <stdint.h>

#include "dvcqg/dvcqg.h"
#include "http/http.h"
#include "iam/iam.h"

static const char *const delivery_values[] = {"counter", "post", "electronic", NULL};

static const struct ts_json_field doc_fields[] = {
    {.name = "code", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 32,
     .label = "Mã thành phần hồ sơ", .example = "TK01"},
    {.name = "name", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 500, .label = "Tên giấy tờ"},
    {.name = "originals", .type = TS_J_INT, .min = 0, .max = 100, .label = "Số bản chính"},
    {.name = "copies", .type = TS_J_INT, .min = 0, .max = 100, .label = "Số bản sao"},
};
static const struct ts_json_spec doc_spec = TS_JSON_SPEC("DvcqgIntakeDocument", doc_fields);

static const struct ts_json_field intake_fields[] = {
    {.name = "national_code", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 60,
     .label = "Mã hồ sơ trên Cổng Dịch vụ công quốc gia", .example = "G22.99-251122-0001"},
    {.name = "procedure_code", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 64,
     .label = "Mã thủ tục", .example = "1.001193"},
    {.name = "variant_code", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 64, .label = "Trường hợp"},
    {.name = "competent_unit_code", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 35,
     .label = "Mã định danh cơ quan có thẩm quyền", .example = "000.01.12.H99"},
    {.name = "receiving_unit_code", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 35,
     .label = "Mã định danh đơn vị tiếp nhận"},
    {.name = "delivery", .type = TS_J_STRING, .enum_values = delivery_values,
     .label = "Hình thức nhận kết quả"},
    {.name = "applicant_name", .type = TS_J_STRING, .flags = TS_J_REQUIRED, .min = 1, .max = 255,
     .label = "Họ tên người nộp"},
    {.name = "applicant_phone", .type = TS_J_STRING, .flags = TS_J_NULLABLE, .max = 15,
     .label = "Số điện thoại"},
    {.name = "applicant_id", .type = TS_J_STRING, .flags = TS_J_NULLABLE | TS_J_SECRET, .max = 20,
     .label = "Số định danh cá nhân / mã số thuế"},
    {.name = "form_data", .type = TS_J_OBJECT, .flags = TS_J_NULLABLE, .label = "Tờ khai"},
    {.name = "documents", .type = TS_J_ARRAY, .max = 100, .sub = &doc_spec,
     .item_type = TS_J_OBJECT, .label = "Thành phần hồ sơ"},
};
const struct ts_json_spec ts_dvcqg_spec_intake = TS_JSON_SPEC("DvcqgIntake", intake_fields);

int ts_dvcqg_http_intake(struct ts_call *call, struct ts_error *err)
{
	struct ts_dossier d;
	int created = 0;
	int rc = ts_dvcqg_intake(call->ctx, call->body, &d, &created, err);
	if (rc)
		return rc;
	return ts_http_reply(call, created ? 201 : 200,
			     json_pack("{s:s, s:s, s:i, s:I, s:b}", "code", d.code, "national_code",
				       ts_json_str(call->body, "national_code"), "status", d.status,
				       "version", (json_int_t)d.version, "created", created));
}
