// types.ts - shapes of the API's answers as the UI reads them (see GET /api/openapi.json and
// the handlers in src/*/_http.c). Only the fields the UI uses.

export interface ProcedureHit {
  id: number;
  code: string;
  name: string;
  field: string | null;
  field_code: string | null;
  online_level: 'full' | 'partial' | null;
  version_id: number;
}

export interface Page<T> {
  items: T[];
  total?: number;
  limit?: number;
  offset?: number;
  next?: string | null;
}

export interface ProcTime {
  channel: number;
  amount: number;
  unit: 'working_hours' | 'working_days' | 'calendar_days';
}

export interface ProcDocument {
  code: string | null;
  name: string;
  originals: number;
  copies: number;
  required: boolean;
  template_file: string | null;
}

export interface FormField {
  name: string;
  label?: string;
  type?: string;
  required?: boolean;
}

export interface Variant {
  id: number;
  code: string;
  name: string;
  default: boolean;
  no_due_date: boolean;
  times: ProcTime[];
  documents: ProcDocument[];
  form_fields: FormField[] | null;
}

export interface Procedure {
  code: string;
  name: string;
  field: string | null;
  field_code: string | null;
  kind: string | null;
  levels: string[];
  online_level: string | null;
  target_groups: string[];
  legal_basis: string | null;
  implementing_agency: string | null;
  competent_agency: string | null;
  results: { code: string | null; name: string }[];
  fees: { code: string | null; name: string; amount: number | null; kind: string; currency: string | null; note: string | null }[];
  variants: Variant[];
  valid_from: string | null;
  units: { id: number; code: string; name: string }[];
  version_id?: number;
  [k: string]: unknown;
}

export interface Unit {
  id: number;
  code: string;
  name: string;
  short_name: string | null;
  kind: string;
  kind_title: string;
  parent_id: number | null;
  valid_from: string | null;
  valid_to: string | null;
  successor_id: number | null;
  version: number;
  children_count?: number;
}

export interface DossierEvent {
  at: number;
  action: string;
  from_status: number;
  to_status: number;
  step: number | null;
  to_step: number | null;
  step_due_at: number | null;
  handed_at: number | null;
  result: string | null;
  actor?: string | null;
  actor_account_id?: number | null;
  receiver_account_id?: number | null;
  reason?: string | null;
  items?: { document?: string | null; field?: string | null; reason: string }[] | null;
}

/** An action the server says the viewer may take now. */
/** One input an action takes, as the server lists it in `allowed_actions[].fields`:
 * `step` = the step whose officers may receive (GET .../eligible-officers?step=). */
export interface ActionInput {
  name: string;
  required: boolean;
  step?: number;
  min?: number;
  max?: number;
}

export interface AllowedAction {
  action: string;
  title?: string;
  fields?: ActionInput[];
}

/** GET /api/v1/dossiers/{code}/eligible-officers */
export interface EligibleOfficers {
  step: number | null;
  role: string | null;
  role_title: string | null;
  unit_id: number | null;
  officers: { id: number; full_name: string; username: string | null; unit_id: number | null; unit_name: string | null }[];
}

/** GET /api/v1/queues/counts */
export interface QueueCounts {
  new: number;
  mine: number;
  due_soon: number;
  overdue: number;
  all: number;
  by_step: { step: number; count: number }[];
  at: number;
  due_soon_before: number;
  unit_id: number | null;
  cap: number;
}

/** POST /api/v1/persons/lookup */
export interface PersonFound {
  found: boolean;
  account_id?: number;
  kind?: string;
  full_name?: string;
  phone?: string | null;
  email?: string | null;
  dossiers?: { code: string; procedure_code: string; procedure_name: string; applicant_name: string | null; applicant_phone: string | null; status: number; status_name: string; submitted_at: number | null }[];
}

/** GET /api/v1/procedures/{code}/versions */
export interface ProcedureVersions {
  code: string;
  versions: { id: number; version_no: number; valid_from: string; valid_to: string | null; name: string; content_hash: string; created_at: number; current: boolean }[];
}

export interface Dossier {
  code: string;
  status: number;
  status_name: string;
  status_title: string;
  procedure_code: string;
  procedure_name: string;
  received_unit_id: number | null;
  receiving_unit_id: number | null;
  competent_unit_id: number | null;
  channel: number;
  delivery: string;
  current_step: number;
  step_due_at: number | null;
  submitted_at: number | null;
  accepted_at: number | null;
  due_at: number | null;
  current_due_at: number | null;
  original_due_at: number | null;
  ended_at: number | null;
  delivered_at: number | null;
  on_time: boolean | null;
  supplement_count: number;
  apology_count: number;
  version: number;
  applicant_account_id?: number | null;
  applicant_name?: string | null;
  applicant_phone?: string | null;
  applicant_id_last4?: string | null;
  assignee_account_id?: number | null;
  paused_seconds?: number;
  form_data?: Record<string, unknown>;
  rating?: number | null;
  comment?: string | null;
  documents?: { code: string; name: string; originals: number; copies: number; digitised: boolean; reused: boolean }[];
  events?: DossierEvent[];
  timeline?: DossierEvent[];
  receiving_unit?: string | null;
  competent_unit?: string | null;
  allowed_actions?: (string | AllowedAction)[];
  /** the current step of the dossier's flow (full view) */
  step?: { ord: number; of: number; kind: string; kind_title: string; role: string; role_title: string; unit_id: number | null };
  flow_version_id?: number | null;
}

/** A file linked to a dossier (GET /api/v1/dossiers/{code}/files; the upload's answer). */
export interface FileLink {
  id: number;
  dossier_code: string;
  kind: 'input' | 'result';
  component: string | null;
  name: string;
  size: number;
  sha256: string;
  type: string;
  type_label: string | null;
  scan: string | null;
  digitised: boolean;
  reused: boolean;
  from_datastore: boolean;
  source_id: number | null;
  source_dossier_code: string | null;
  added_by: string | null;
  created_at: number;
  content_url: string;
}
