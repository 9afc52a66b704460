// routes.ts - the citizen portal's routes (in the first chunk: the portal is the first view).
import type { RouteDef } from '../main';
import { Home, Search, ProcedurePage } from './catalog';
import { Submit, Receipt } from './submit';
import { Lookup } from './lookup';
import { Login, Register } from './account';
import { MyDossiers, MyDossier } from './mine';

export const portalRoutes: RouteDef[] = [
  { pattern: '/', component: Home },
  { pattern: '/procedures', component: Search },
  { pattern: '/procedures/:code', component: ProcedurePage },
  { pattern: '/submit/:code', component: Submit },
  { pattern: '/receipt/:code', component: Receipt },
  { pattern: '/lookup', component: Lookup },
  { pattern: '/login', component: Login },
  { pattern: '/register', component: Register },
  { pattern: '/my', component: MyDossiers },
  { pattern: '/my/:code', component: MyDossier },
];
