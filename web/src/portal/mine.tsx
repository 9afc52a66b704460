// mine.tsx - "my dossiers": the applicant's list (with unfinished drafts) and one dossier with
// its timeline, the consolidated supplement request, and the applicant's actions.
import { useState } from 'preact/hooks';
import { api, qs } from '../lib/api';
import { t } from '../lib/i18n';
import { dateTime } from '../lib/format';
import { listDrafts } from '../lib/draft';
import { enc, href } from '../lib/router';
import type { Dossier, Page as PageOf } from '../lib/types';
import type { RouteProps } from '../main';
import { ActionPanel } from '../ui/actions';
import { DossierFacts, SupplementRequest, Timeline } from '../ui/dossier';
import { FileList, FormLinks, Reuse, UploadBox, docNames, formsFor } from '../ui/files';
import { ErrorBox, Loading, Page, Status, useLoad } from '../ui/ui';

function NeedLogin(props: { next: string }) {
  return (
    <Page title={t('my.title')}>
      <p>{t('wiz.login_first')}</p>
      <a class="button primary" href={href('/login', { next: props.next })}>
        {t('nav.login')}
      </a>
    </Page>
  );
}

export function MyDossiers(props: RouteProps) {
  const [cursor, setCursor] = useState<string[]>([]);
  const after = cursor[cursor.length - 1];
  const res = useLoad(() => (props.me ? api<PageOf<Dossier>>('GET', '/api/v1/dossiers' + qs({ after, limit: 20 })) : Promise.resolve(null)), [after, props.me?.id]);
  if (!props.me) return <NeedLogin next="/my" />;
  const drafts = listDrafts(props.me.id);
  return (
    <Page title={t('my.title')}>
      {drafts.length > 0 && (
        <section class="panel">
          <h2>{t('my.drafts')}</h2>
          <ul>
            {drafts.map((d) => (
              <li key={d.procedure + d.variant}>
                <a href={href('/submit/' + enc(d.procedure), { variant: d.variant })}>
                  {t('my.continue_draft', { code: d.procedure })}
                </a>{' '}
                <span class="muted">({new Date(d.saved_at).toLocaleString()})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <p>
        <a class="button" href="#/">
          {t('my.new')}
        </a>
      </p>
      <ErrorBox error={res.error} />
      {res.loading && <Loading />}
      {res.data && res.data.items.length === 0 && <p>{t('my.empty')}</p>}
      {res.data && res.data.items.length > 0 && (
        <ul class="dossiers">
          {res.data.items.map((d) => (
            <li key={d.code}>
              <a href={'#/my/' + enc(d.code)} class="title">
                {d.procedure_name}
              </a>
              <div class="meta">
                <span class="code">{d.code}</span>
                <Status status={d.status} name={d.status_name} title={d.status_title} />
                {d.current_due_at && (
                  <span>
                    {t('dossier.due')}: {dateTime(d.current_due_at)}
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <nav class="pager" aria-label={t('common.pages')}>
        <button type="button" disabled={!cursor.length} onClick={() => setCursor(cursor.slice(0, -1))}>
          {t('common.prev')}
        </button>
        <button type="button" disabled={!res.data?.next} onClick={() => setCursor([...cursor, res.data!.next!])}>
          {t('common.next')}
        </button>
      </nav>
    </Page>
  );
}

export function MyDossier(props: RouteProps) {
  const code = props.params.code;
  const res = useLoad(() => api<Dossier>('GET', '/api/v1/dossiers/' + enc(code)), [code]);
  const [files, setFiles] = useState(0);
  if (!props.me) return <NeedLogin next={'/my/' + code} />;
  if (res.loading && !res.data) return <Loading />;
  if (!res.data)
    return (
      <Page title={t('my.dossier')}>
        <ErrorBox error={res.error} />
      </Page>
    );
  const d = res.data;
  return (
    <Page title={d.procedure_name}>
      <SupplementRequest d={d} />
      <DossierFacts d={d} personal />
      <h2>{t('file.title')}</h2>
      <FileList code={d.code} reload={files} names={docNames(d)} />
      {/* applicants add files while the dossier is new or asked for a supplement (the server
          checks; the box is only not shown when it would be refused anyway) */}
      {(d.status === 1 || d.status === 5) && (d.documents || []).length > 0 && (
        <section class="panel" aria-labelledby="add-file-h">
          <h3 id="add-file-h">{t('file.add')}</h3>
          {d.status === 5 && <p class="hint">{t('file.supplement_hint')}</p>}
          <UploadBox d={d} onUploaded={() => setFiles(files + 1)} />
          <Reuse d={d} onReused={() => setFiles(files + 1)} />
        </section>
      )}
      {formsFor(d).length > 0 && (
        <>
          <h2>{t('form.title')}</h2>
          <FormLinks d={d} />
        </>
      )}
      <ActionPanel d={d} onDone={(nd) => (res.set({ ...res.data!, ...nd }), res.reload())} />
      <h2>{t('dossier.timeline')}</h2>
      <Timeline events={d.events || []} />
      <p>
        <a href="#/my">{t('my.back')}</a>
      </p>
    </Page>
  );
}

