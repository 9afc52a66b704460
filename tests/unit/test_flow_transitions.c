/* test_flow_transitions.c - the dossier transition table walked exhaustively: every status
 * (0 = not created, 1..10) x every action is either the expected transition with the
 * expected actors, or refused with a Vietnamese reason; plus the default flow and the
 * pre-publication checks of workflows. Pure, no store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flow/flow.h"

#define A TS_WHO_APPLICANT
#define C TS_WHO_COUNTER
#define S TS_WHO_STEP
#define P TS_DS_PREVIOUS
#define SAME TS_DS_SAME

/* Expected result, written independently of flow.c: 0 = refused, else {to, who}. */
struct expect {
	int to;
	unsigned who;
};
static const struct expect want[11][TS_DA__COUNT] = {
    [0] = {[TS_DA_SUBMIT] = {1, A}, [TS_DA_INTAKE] = {1, C}},
    [1] = {[TS_DA_ACCEPT] = {2, C}, [TS_DA_REFUSE] = {3, C},
	   [TS_DA_REQUEST_SUPPLEMENT] = {5, C}, [TS_DA_WITHDRAW] = {7, A}},
    [2] = {[TS_DA_FORWARD] = {4, C}, [TS_DA_ASSIGN] = {SAME, C}, [TS_DA_WITHDRAW] = {7, A | C},
	   [TS_DA_STOP] = {8, C}, [TS_DA_APOLOGIZE] = {SAME, C}},
    [3] = {{0, 0}},
    [4] = {[TS_DA_ASSIGN] = {SAME, S}, [TS_DA_FORWARD] = {SAME, S},
	   [TS_DA_RETURN_TO_STEP] = {SAME, S}, [TS_DA_REQUEST_SUPPLEMENT] = {5, S},
	   [TS_DA_REQUEST_PAYMENT] = {6, S}, [TS_DA_STOP] = {8, S}, [TS_DA_WITHDRAW] = {7, A},
	   [TS_DA_FINISH] = {9, S}, [TS_DA_APOLOGIZE] = {SAME, S}},
    [5] = {[TS_DA_RESUBMIT] = {P, A | C}, [TS_DA_WITHDRAW] = {7, A}, [TS_DA_STOP] = {8, C | S}},
    [6] = {[TS_DA_PAYMENT_DONE] = {4, A | C}, [TS_DA_WITHDRAW] = {7, A}, [TS_DA_STOP] = {8, S}},
    [7] = {{0, 0}},
    [8] = {{0, 0}},
    [9] = {[TS_DA_DELIVER] = {10, C | S}},
    [10] = {[TS_DA_RATE] = {SAME, A}},
};

static void test_every_status_times_every_action(void **state)
{
	(void)state;
	int allowed = 0, refused = 0;

	for (int s = 0; s <= TS_DS__MAX; s++) {
		for (int a = 0; a < TS_DA__COUNT; a++) {
			const struct ts_transition *t = NULL;
			struct ts_error err = {0};
			int rc = ts_flow_transition(s, a, &t, &err);
			if (want[s][a].to == 0) {
				if (rc != TS_ERR_CONFLICT)
					fail_msg("status %d action %s: want refusal, got %d", s,
						 ts_dossier_action_name(a), rc);
				assert_string_equal(err.field, "action");
				assert_non_null(strstr(err.detail, "Không thể"));
				assert_non_null(strstr(err.detail, ts_dossier_action_title(a)));
				refused++;
			} else {
				if (rc != 0)
					fail_msg("status %d action %s: want allowed, got %s", s,
						 ts_dossier_action_name(a), err.detail);
				assert_int_equal(t->from, s);
				assert_int_equal(t->action, a);
				assert_int_equal(t->to, want[s][a].to);
				assert_int_equal(t->who, want[s][a].who);
				allowed++;
			}
		}
	}
	assert_int_equal(allowed + refused, 11 * TS_DA__COUNT);
	assert_int_equal(allowed, 28);
}

static void test_final_statuses_refuse_everything_with_their_name(void **state)
{
	(void)state;
	struct ts_error err = {0};
	assert_int_equal(ts_flow_transition(TS_DS_REFUSED, TS_DA_ACCEPT, NULL, &err),
			 TS_ERR_CONFLICT);
	assert_non_null(strstr(err.detail, "Không được tiếp nhận"));
	ts_error_clear(&err);
	assert_int_equal(ts_flow_transition(11, TS_DA_ACCEPT, NULL, &err), TS_ERR_VALIDATION);
	ts_error_clear(&err);
	assert_int_equal(ts_flow_transition(1, TS_DA__COUNT, NULL, &err), TS_ERR_VALIDATION);
	assert_true(ts_dossier_status_final(3) && ts_dossier_status_final(7) &&
		    ts_dossier_status_final(8) && ts_dossier_status_final(10));
	assert_false(ts_dossier_status_final(9));
	assert_true(ts_dossier_status_paused(5) && ts_dossier_status_paused(6));
}

static void test_status_and_action_names_round_trip(void **state)
{
	(void)state;
	for (int s = 1; s <= TS_DS__MAX; s++) {
		assert_int_equal(ts_dossier_status_parse(ts_dossier_status_name(s)), s);
		assert_non_null(ts_dossier_status_title(s));
	}
	assert_string_equal(ts_dossier_status_title(1), "Mới đăng ký");
	assert_string_equal(ts_dossier_status_title(10), "Đã trả kết quả");
	assert_int_equal(ts_dossier_status_parse("4"), 4);
	assert_int_equal(ts_dossier_status_parse("11"), -1);
	for (int a = 0; a < TS_DA__COUNT; a++)
		assert_int_equal(ts_dossier_action_parse(ts_dossier_action_name(a)), a);
	assert_int_equal(ts_dossier_action_parse("explode"), -1);
}

static void test_default_flow_fits_the_legal_time(void **state)
{
	(void)state;
	struct ts_arena a;
	struct ts_flow f;
	struct ts_error err = {0};
	int64_t sum = 0;

	ts_arena_init(&a, 0);
	assert_int_equal(ts_flow_default(&a, 40, &f, &err), 0);
	assert_int_equal(f.nsteps, 4);
	assert_int_equal(f.steps[0].kind, TS_STEP_RECEIVE);
	assert_int_equal(f.steps[0].role, TS_ROLE_COUNTER);
	assert_int_equal(f.steps[0].unit_rel, TS_STEP_UNIT_RECEIVING);
	assert_int_equal(f.steps[1].kind, TS_STEP_PROCESS);
	assert_int_equal(f.steps[1].role, TS_ROLE_SPECIALIST);
	assert_int_equal(f.steps[1].unit_rel, TS_STEP_UNIT_COMPETENT);
	assert_int_equal(f.steps[2].role, TS_ROLE_LEADER);
	assert_int_equal(f.steps[3].kind, TS_STEP_RETURN);
	for (int i = 0; i < f.nsteps; i++)
		sum += f.steps[i].hours;
	assert_int_equal(sum, 40);
	assert_int_equal(ts_flow_check(&f, 40, &err), 0);
	assert_int_equal(ts_flow_default(&a, 0, &f, &err), 0);
	assert_int_equal(ts_flow_check(&f, 0, &err), 0);
	assert_int_equal(ts_flow_step_unit(&f.steps[0], 7, 9), 7);
	assert_int_equal(ts_flow_step_unit(&f.steps[1], 7, 9), 9);
	ts_arena_release(&a);
}

static void test_flow_check_names_the_bad_step(void **state)
{
	(void)state;
	struct ts_flow_step s[3] = {
	    {1, TS_STEP_RECEIVE, TS_ROLE_COUNTER, TS_STEP_UNIT_RECEIVING, 0, 4},
	    {2, TS_STEP_PROCESS, TS_ROLE_SPECIALIST, TS_STEP_UNIT_ABSOLUTE, 12, 20},
	    {3, TS_STEP_RETURN, TS_ROLE_COUNTER, TS_STEP_UNIT_RECEIVING, 0, 0},
	};
	struct ts_flow f = {0, 3, s};
	struct ts_error err = {0};

	assert_int_equal(ts_flow_check(&f, 24, &err), 0);
	assert_int_equal(ts_flow_check(&f, 23, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "steps");
	assert_non_null(strstr(err.detail, "vượt thời hạn"));
	ts_error_clear(&err);
	s[1].role = 99;
	assert_int_equal(ts_flow_check(&f, 24, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "steps/1");
	ts_error_clear(&err);
	s[1].role = TS_ROLE_SPECIALIST;
	s[1].unit_id = 0;
	assert_int_equal(ts_flow_check(&f, 24, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "steps/1");
	ts_error_clear(&err);
	s[1].unit_id = 12;
	s[0].kind = TS_STEP_PROCESS;
	assert_int_equal(ts_flow_check(&f, 24, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "steps/0");
	ts_error_clear(&err);
	s[0].kind = TS_STEP_RECEIVE;
	s[1].kind = TS_STEP_RETURN;
	assert_int_equal(ts_flow_check(&f, 24, &err), TS_ERR_VALIDATION);
	ts_error_clear(&err);
	s[1].kind = TS_STEP_PROCESS;
	s[2].ord = 4;
	assert_int_equal(ts_flow_check(&f, 24, &err), TS_ERR_VALIDATION);
	assert_string_equal(err.field, "steps/2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_status_times_every_action),
	    cmocka_unit_test(test_final_statuses_refuse_everything_with_their_name),
	    cmocka_unit_test(test_status_and_action_names_round_trip),
	    cmocka_unit_test(test_default_flow_fits_the_legal_time),
	    cmocka_unit_test(test_flow_check_names_the_bad_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
