// main.tsx - the application shell: header with the language switch and the account menu,
// the hash router, and lazy loading of the officer and administration faces so that the
// citizen's first view stays small (budget: 200 KB of compressed JavaScript).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import './styles.css';
import { initLang, onLang, setLang, getLang, t } from './lib/i18n';
import { matchRoute, parseHash, navigate, type Location } from './lib/router';
import { getMe, loadMe, logout, onSession, isOfficer, isAdmin, isApplicant, can, type Me } from './lib/session';
import { portalRoutes } from './portal/routes';
import { ErrorBox, Loading, Page, markNavigated } from './ui/ui';

export interface RouteProps {
  params: Record<string, string>;
  query: URLSearchParams;
  me: Me | null;
}

export interface RouteDef {
  pattern: string;
  component?: ComponentType<RouteProps>;
  /** lazy: loads a face's chunk and names the component in it */
  lazy?: () => Promise<ComponentType<RouteProps>>;
}

const lazyFace = (load: () => Promise<any>, name: string) => async () => (await load())[name] as ComponentType<RouteProps>;
const work = () => import('./work/work');
const admin = () => import('./admin/admin');
const outbox = () => import('./admin/outbox');
const ioc = () => import('./pages/ioc/ioc');
const security = () => import('./pages/security/security');
const publicStats = () => import('./pages/public-stats/public-stats');

const routes: RouteDef[] = [
  ...portalRoutes,
  { pattern: '/work', lazy: lazyFace(work, 'Queues') },
  { pattern: '/work/intake', lazy: lazyFace(work, 'Intake') },
  { pattern: '/work/d/:code', lazy: lazyFace(work, 'DossierPage') },
  { pattern: '/work/d/:code/slip', lazy: lazyFace(work, 'ControlSlip') },
  { pattern: '/admin', lazy: lazyFace(admin, 'Units') },
  { pattern: '/admin/users', lazy: lazyFace(admin, 'Users') },
  { pattern: '/admin/users/:id', lazy: lazyFace(admin, 'UserPage') },
  { pattern: '/admin/procedures', lazy: lazyFace(admin, 'Procedures') },
  { pattern: '/admin/flows', lazy: lazyFace(admin, 'Flows') },
  { pattern: '/admin/calendar', lazy: lazyFace(admin, 'Calendar') },
  { pattern: '/admin/settings', lazy: lazyFace(admin, 'Settings') },
  { pattern: '/admin/outbox', lazy: lazyFace(outbox, 'Outbox') },
  { pattern: '/admin/outbox/:id', lazy: lazyFace(outbox, 'OutboxMessagePage') },
  { pattern: '/ioc', lazy: lazyFace(ioc, 'Ioc') },
  { pattern: '/account/security', lazy: lazyFace(security, 'Security') },
  { pattern: '/statistics', lazy: lazyFace(publicStats, 'PublicStats') },
];

function NotFound() {
  return (
    <Page title={t('nf.title')}>
      <p>{t('nf.text')}</p>
      <p>
        <a href="#/">{t('nav.home')}</a>
      </p>
    </Page>
  );
}

function LazyRoute(props: RouteProps & { def: RouteDef }) {
  const [C, setC] = useState<ComponentType<RouteProps> | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setC(null);
    props.def.lazy!().then(
      (c) => live && setC(() => c),
      (e) => live && setErr(e),
    );
    return () => {
      live = false;
    };
  }, [props.def]);
  if (err) return <ErrorBox error={err} />;
  if (!C) return <Loading />;
  return <C params={props.params} query={props.query} me={props.me} />;
}

function Header(props: { me: Me | null; path: string }) {
  const me = props.me;
  const [open, setOpen] = useState(false);
  const cur = (p: string) => (props.path === p || (p !== '/' && props.path.startsWith(p + '/')) ? 'page' : undefined);
  useEffect(() => setOpen(false), [props.path]);
  return (
    <header class="top">
      <div class="bar">
        <a class="brand" href="#/">
          {t('app.name')}
          <span class="sub">{t('app.tagline')}</span>
        </a>
        <button
          type="button"
          class="lang"
          onClick={() => setLang(getLang() === 'vi' ? 'en' : 'vi')}
          lang={getLang() === 'vi' ? 'en' : 'vi'}
          aria-label={getLang() === 'vi' ? 'Switch to English' : 'Chuyển sang tiếng Việt'}
        >
          {getLang() === 'vi' ? 'English' : 'Tiếng Việt'}
        </button>
        <button type="button" class="menu-btn" aria-expanded={open} aria-controls="mainnav" onClick={() => setOpen(!open)}>
          {t('nav.menu')}
        </button>
      </div>
      <nav id="mainnav" class={open ? 'open' : ''} aria-label={t('nav.label')}>
        <ul>
          <li>
            <a href="#/" aria-current={cur('/')}>
              {t('nav.procedures')}
            </a>
          </li>
          <li>
            <a href="#/lookup" aria-current={cur('/lookup')}>
              {t('nav.lookup')}
            </a>
          </li>
          <li>
            <a href="#/statistics" aria-current={cur('/statistics')}>
              {t('nav.statistics')}
            </a>
          </li>
          {can('stats.read', me) && (
            <li>
              <a href="#/ioc" aria-current={cur('/ioc')}>
                {t('nav.ioc')}
              </a>
            </li>
          )}
          {isApplicant(me) && (
            <li>
              <a href="#/my" aria-current={cur('/my')}>
                {t('nav.my')}
              </a>
            </li>
          )}
          {isOfficer(me) && (
            <li>
              <a href="#/work" aria-current={cur('/work')}>
                {t('nav.work')}
              </a>
            </li>
          )}
          {isAdmin(me) && (
            <li>
              <a href="#/admin" aria-current={cur('/admin')}>
                {t('nav.admin')}
              </a>
            </li>
          )}
          {me ? (
            <li class="account">
              <span class="who">{me.full_name}</span>
              <a href="#/account/security" aria-current={cur('/account/security')}>
                {t('nav.security')}
              </a>
              <button
                type="button"
                class="link"
                onClick={async () => {
                  await logout();
                  navigate('/');
                }}
              >
                {t('nav.logout')}
              </button>
            </li>
          ) : (
            <>
              <li>
                <a href="#/login" aria-current={cur('/login')}>
                  {t('nav.login')}
                </a>
              </li>
              <li>
                <a href="#/register" aria-current={cur('/register')}>
                  {t('nav.register')}
                </a>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}

function App() {
  const [loc, setLoc] = useState<Location>(parseHash(location.hash));
  const [me, setMe] = useState<Me | null>(getMe());
  const [ready, setReady] = useState(false);
  const [bootErr, setBootErr] = useState<unknown>(null);
  const [, setTick] = useState(0);

  useEffect(() => {
    const onHash = () => {
      markNavigated();
      setLoc(parseHash(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onHash);
    const offL = onLang(() => setTick((x) => x + 1));
    const offS = onSession(() => setMe(getMe()));
    loadMe().then(
      () => setReady(true),
      (e) => {
        setBootErr(e);
        setReady(true);
      },
    );
    return () => {
      window.removeEventListener('hashchange', onHash);
      offL();
      offS();
    };
  }, []);

  let body;
  if (!ready) body = <Loading />;
  else {
    body = <NotFound />;
    for (const r of routes) {
      const m = matchRoute(r.pattern, loc.path);
      if (!m) continue;
      const p = { params: m.params, query: loc.query, me };
      body = r.component ? <r.component {...p} /> : <LazyRoute {...p} def={r} />;
      break;
    }
  }
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('nav.skip')}
      </a>
      <Header me={me} path={loc.path} />
      <main id="main" tabIndex={-1}>
        {bootErr ? <ErrorBox error={bootErr} /> : null}
        {body}
      </main>
      <footer class="foot">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}

initLang();
render(<App />, document.getElementById('app')!);
