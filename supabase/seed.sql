-- Demo data for the local stack: a demo user who owns a demo organization.
-- Sign in as demo@lytics.dev / lytics-demo-2026. Users are created the way Supabase's own
-- seed files do it, with a bcrypt hash from pgcrypto, so the same file works with the CLI.

-- ===========================================================================
-- The demo user
-- ===========================================================================
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
) values (
  '00000000-0000-0000-0000-000000000000', 'd0d0d0d0-0000-4000-8000-000000000001',
  'authenticated', 'authenticated', 'demo@lytics.dev',
  extensions.crypt('lytics-demo-2026', extensions.gen_salt('bf', 10)), now(),
  '{"provider":"email","providers":["email"]}', '{"display_name":"Demo User"}', now(), now(),
  '', '', '', ''
) on conflict do nothing;

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at)
values (
  'd0d0d0d0-0000-4000-8000-000000000001', 'd0d0d0d0-0000-4000-8000-000000000001',
  '{"sub":"d0d0d0d0-0000-4000-8000-000000000001","email":"demo@lytics.dev","email_verified":true}',
  'email', now()
) on conflict do nothing;

-- ===========================================================================
-- The demo organization (the trigger makes the demo user its owner)
-- ===========================================================================
insert into public.organizations (id, name, slug, timezone, created_by)
values ('0a0a0a0a-0000-4000-8000-000000000001', 'Demo Company', 'demo', 'Europe/Berlin',
        'd0d0d0d0-0000-4000-8000-000000000001')
on conflict do nothing;

-- ===========================================================================
-- A second user and organization, so that isolation is visible locally: sign in as
-- other@lytics.dev / lytics-demo-2026 and the demo data is nowhere to be seen (and the
-- other way round: the demo user never sees "Other Shop" or its checkout events).
-- ===========================================================================
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
) values (
  '00000000-0000-0000-0000-000000000000', 'd0d0d0d0-0000-4000-8000-000000000002',
  'authenticated', 'authenticated', 'other@lytics.dev',
  extensions.crypt('lytics-demo-2026', extensions.gen_salt('bf', 10)), now(),
  '{"provider":"email","providers":["email"]}', '{"display_name":"Other User"}', now(), now(),
  '', '', '', ''
) on conflict do nothing;

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at)
values (
  'd0d0d0d0-0000-4000-8000-000000000002', 'd0d0d0d0-0000-4000-8000-000000000002',
  '{"sub":"d0d0d0d0-0000-4000-8000-000000000002","email":"other@lytics.dev","email_verified":true}',
  'email', now()
) on conflict do nothing;

insert into public.organizations (id, name, slug, timezone, created_by)
values ('0b0b0b0b-0000-4000-8000-000000000002', 'Other Shop', 'other-shop', 'America/New_York',
        'd0d0d0d0-0000-4000-8000-000000000002')
on conflict do nothing;

-- ===========================================================================
-- Deterministic noise
-- ===========================================================================
-- A uniform number in [0, 1) derived from a text key. The same key gives the same number
-- on every run and machine (hashtextextended must stay stable: hash partitioning relies on
-- it), so the demo looks the same after every reset, whatever order the planner picks.
-- Keys use "days ago", so the curves keep their shape relative to today.
-- In pg_temp: it disappears with the seeding session.
create function pg_temp.noise(key text) returns double precision
language sql immutable
as $$ select (hashtextextended(key, 2026) & 2147483647)::float8 / 2147483648 $$;

-- ===========================================================================
-- Demo metrics: 90 days ending today (in the organization's timezone, Europe/Berlin)
-- ===========================================================================
-- How totals are computed: every metric is stored at exactly one grain per source, and a
-- total is the sum of that source's rows for the metric. GA4 metrics are stored per
-- channel only (dimension = the session's default channel: organic, direct, referral,
-- social, email), Instagram's account metrics once per day with dimension ''. There is
-- deliberately no '' "total" row next to the channel rows: anything summing a metric's
-- rows would count every session twice. (GA4's activeUsers is the one metric that is not
-- strictly additive across channels: a user arriving through two channels on a day is
-- counted in both; the channel sum is what the sync stores and what the dashboard shows.)

-- GA4-like web analytics: weekday-heavy traffic growing ~25% over the window, a Tuesday
-- newsletter that lifts e-mail, and ±8% noise per channel and day.
insert into public.metrics (org_id, metric_name, metric_date, source, dimension, value)
select '0a0a0a0a-0000-4000-8000-000000000001', m.name, d.day, 'ga4', c.channel, m.value
from (
  select day::date, ((now() at time zone 'Europe/Berlin')::date - day::date) as ago
  from generate_series((now() at time zone 'Europe/Berlin')::date - 89,
                       (now() at time zone 'Europe/Berlin')::date, interval '1 day') as day
) as d
cross join (values
  -- channel, share of sessions, pages per session, key events per session
  ('organic', 0.42, 2.4, 0.025),
  ('direct', 0.25, 3.2, 0.040),
  ('referral', 0.12, 2.8, 0.030),
  ('social', 0.13, 1.7, 0.012),
  ('email', 0.08, 3.5, 0.060)
) as c (channel, share, pages, conversion)
cross join lateral (
  select round(
    1150
    * (array[1.00, 1.06, 1.04, 1.01, 0.92, 0.66, 0.71])[extract(isodow from d.day)]
    * (1.25 - 0.25 * d.ago / 89.0)
    * c.share
    * case when c.channel = 'email' and extract(isodow from d.day) = 2 then 2.6 else 1 end
    * (0.92 + 0.16 * pg_temp.noise('ga4-sessions-' || c.channel || '-' || d.ago))
  ) as sessions
) as s
cross join lateral (values
  ('sessions', s.sessions),
  ('activeUsers', round(s.sessions * (0.76 + 0.06 * pg_temp.noise('ga4-users-' || c.channel || '-' || d.ago)))),
  ('screenPageViews', round(s.sessions * c.pages * (0.9 + 0.2 * pg_temp.noise('ga4-pages-' || c.channel || '-' || d.ago)))),
  ('keyEvents', round(s.sessions * c.conversion * (0.6 + 0.8 * pg_temp.noise('ga4-key-' || c.channel || '-' || d.ago))))
) as m (name, value)
on conflict do nothing;

-- Instagram-like account insights (dimension ''): weekend-heavy reach growing ~40%, two
-- posts that went viral (a spike decaying over three days), views ≈ 2.4 × reach.
-- follower_count is what the Graph API reports with period=day: new followers that day,
-- so it sums over a range like the others.
insert into public.metrics (org_id, metric_name, metric_date, source, dimension, value)
select '0a0a0a0a-0000-4000-8000-000000000001', m.name, d.day, 'instagram', '', m.value
from (
  select day::date, ((now() at time zone 'Europe/Berlin')::date - day::date) as ago
  from generate_series((now() at time zone 'Europe/Berlin')::date - 89,
                       (now() at time zone 'Europe/Berlin')::date, interval '1 day') as day
) as d
cross join lateral (
  select round(
    2400
    * (array[0.92, 0.94, 0.97, 1.00, 1.05, 1.16, 1.12])[extract(isodow from d.day)]
    * (1.4 - 0.4 * d.ago / 89.0)
    * (1 + case when d.ago between 58 and 61 then 2.4 / (1 + 2 * (61 - d.ago))
                when d.ago between 17 and 20 then 3.1 / (1 + 2 * (20 - d.ago))
                else 0 end)
    * (0.88 + 0.24 * pg_temp.noise('ig-reach-' || d.ago))
  ) as reach
) as r
cross join lateral (
  select round(r.reach * (0.055 + 0.02 * pg_temp.noise('ig-engaged-' || d.ago))) as engaged
) as e
cross join lateral (values
  ('reach', r.reach),
  ('views', round(r.reach * (2.2 + 0.5 * pg_temp.noise('ig-views-' || d.ago)))),
  ('accounts_engaged', e.engaged),
  ('total_interactions', round(e.engaged * (1.9 + 0.8 * pg_temp.noise('ig-inter-' || d.ago)))),
  ('follower_count', round(r.reach * 0.008 * (0.6 + 0.8 * pg_temp.noise('ig-follow-' || d.ago))))
) as m (name, value)
on conflict do nothing;

-- ===========================================================================
-- Demo events: 600 product users over the same 90 days
-- ===========================================================================
-- Each actor signs up on one day (more sign-ups lately), is active on later days with a
-- probability that decays with the time since sign-up (so weekly cohorts show a
-- retention curve settling around 15–20%), scaled by how engaged that actor is. An active
-- day is one session: a login (or the signup itself), page views, and now and then a
-- project, an export or an invitation. Anonymous visitors add page views without an actor.
-- One statement, so the rollup trigger runs once over all of them.
with actors as (
  select a,
         'user_' || lpad(a::text, 4, '0') as actor_id,
         -- Sign-ups per day grow linearly from 35% to 100% of today's rate (inverse CDF).
         floor(89 * (1 - (sqrt(0.1225 + 0.8775 * pg_temp.noise('actor-signup-' || a)) - 0.35)
                         / 0.65))::int as signup_ago,
         -- Most users are casual, a few are power users.
         0.25 + 1.75 * pg_temp.noise('actor-engagement-' || a) ^ 2 as engagement,
         case when pg_temp.noise('actor-plan-' || a) < 0.70 then 'free'
              when pg_temp.noise('actor-plan-' || a) < 0.92 then 'pro'
              else 'team' end as plan,
         (array['DE', 'DE', 'DE', 'US', 'US', 'GB', 'FR', 'NL', 'AT', 'CH', 'ES', 'SE', 'PL'])
           [1 + floor(13 * pg_temp.noise('actor-country-' || a))::int] as country,
         (array['organic', 'organic', 'direct', 'referral', 'social', 'email'])
           [1 + floor(6 * pg_temp.noise('actor-channel-' || a))::int] as channel
  from generate_series(1, 600) as a
),
active_days as (
  select ac.*, k, ac.signup_ago - k as ago,
         ((now() at time zone 'Europe/Berlin')::date - (ac.signup_ago - k))::date as day
  from actors ac
  cross join lateral generate_series(0, ac.signup_ago) as k
  where k = 0
     or pg_temp.noise('active-' || ac.a || '-' || k)
        < ac.engagement * (0.04 + 0.40 * exp(-k / 5.0))
          * case when extract(isodow from (now() at time zone 'Europe/Berlin')::date
                                          - (ac.signup_ago - k)) > 5 then 0.55 else 1 end
),
sessions as (
  select ad.*,
         -- Session start between 07:00 and 22:00 Berlin time.
         (ad.day + make_interval(mins => 420 + floor(900 * pg_temp.noise('start-' || ad.a || '-' || ad.k))::int))
           at time zone 'Europe/Berlin' as started_at,
         2 + floor(ad.engagement * 7 * pg_temp.noise('length-' || ad.a || '-' || ad.k))::int as steps
  from active_days ad
),
actor_events as (
  select s.actor_id, s.plan, s.country, s.channel, s.k, s.a, step,
         'demo-' || s.a || '-' || s.ago || '-' || step as id,
         s.started_at + make_interval(secs => step * (40 + 200 * pg_temp.noise('gap-' || s.a || '-' || s.k || '-' || step))) as occurred_at,
         'sess-' || s.a || '-' || s.ago as session_id,
         pg_temp.noise('what-' || s.a || '-' || s.k || '-' || step) as what
  from sessions s
  cross join lateral generate_series(0, s.steps) as step
),
named as (
  select ae.*,
         case
           when ae.step = 0 and ae.k = 0 then 'signup'
           when ae.step = 0 then 'login'
           when ae.k = 0 and ae.step = 2 then 'project_created'
           when ae.what < 0.06 then 'project_created'
           when ae.what < 0.11 then 'report_exported'
           when ae.what < 0.13 + case when ae.plan = 'team' then 0.08 else 0 end then 'invite_sent'
           else 'page_view'
         end as name
  from actor_events ae
)
insert into public.events (org_id, id, occurred_at, name, actor_id, session_id, properties)
select '0a0a0a0a-0000-4000-8000-000000000001'::uuid, n.id, n.occurred_at, n.name, n.actor_id,
       n.session_id,
       jsonb_build_object('plan', n.plan, 'country', n.country) || case n.name
         when 'signup' then jsonb_build_object('channel', n.channel)
         when 'page_view' then jsonb_build_object('path', (array[
           '/dashboard', '/dashboard', '/dashboard', '/reports', '/reports', '/projects',
           '/projects/settings', '/settings', '/billing', '/integrations', '/docs'])
           [1 + floor(11 * n.what)::int])
         when 'project_created' then jsonb_build_object('template', (array[
           'blank', 'marketing', 'product', 'ecommerce'])[1 + floor(4 * pg_temp.noise('tpl-' || n.id))::int])
         when 'report_exported' then jsonb_build_object('format', (array['csv', 'csv', 'pdf'])
           [1 + floor(3 * pg_temp.noise('fmt-' || n.id))::int])
         when 'invite_sent' then jsonb_build_object('role', (array['member', 'member', 'viewer', 'admin'])
           [1 + floor(4 * pg_temp.noise('role-' || n.id))::int])
         else '{}'::jsonb
       end
from named n
where n.occurred_at <= now()
union all
-- Anonymous page views from the marketing site: ~70 a weekday, fewer at weekends.
select '0a0a0a0a-0000-4000-8000-000000000001', 'demo-anon-' || d.ago || '-' || i,
       (d.day + make_interval(secs => floor(86400 * pg_temp.noise('anon-t-' || d.ago || '-' || i))::int))
         at time zone 'Europe/Berlin',
       'page_view', null, 'anon-' || d.ago || '-' || (i / 3),
       jsonb_build_object('path', (array['/', '/', '/pricing', '/blog', '/features', '/signup'])
         [1 + floor(6 * pg_temp.noise('anon-p-' || d.ago || '-' || i))::int])
from (
  select day::date, ((now() at time zone 'Europe/Berlin')::date - day::date) as ago
  from generate_series((now() at time zone 'Europe/Berlin')::date - 89,
                       (now() at time zone 'Europe/Berlin')::date, interval '1 day') as day
) as d
cross join lateral generate_series(1, case when extract(isodow from d.day) > 5 then 40 else 70 end) as i
where (d.day + make_interval(secs => floor(86400 * pg_temp.noise('anon-t-' || d.ago || '-' || i))::int))
        at time zone 'Europe/Berlin' <= now()
on conflict do nothing;

-- ===========================================================================
-- The other organization's data: a fortnight of a different shape, names the demo
-- organization never uses, so a leak would be obvious.
-- ===========================================================================
insert into public.metrics (org_id, metric_name, metric_date, source, dimension, value)
select '0b0b0b0b-0000-4000-8000-000000000002', 'sessions', day::date, 'ga4', 'direct',
       300 + floor(100 * pg_temp.noise('other-' || ((now() at time zone 'America/New_York')::date - day::date)))
from generate_series((now() at time zone 'America/New_York')::date - 13,
                     (now() at time zone 'America/New_York')::date, interval '1 day') as day
on conflict do nothing;

insert into public.events (org_id, id, occurred_at, name, actor_id, properties)
select '0b0b0b0b-0000-4000-8000-000000000002', 'other-' || i,
       now() - make_interval(mins => i * 97),
       (array['cart_viewed', 'checkout_completed'])[1 + i % 2],
       'shopper_' || (i % 12),
       jsonb_build_object('store', 'other-shop')
from generate_series(1, 60) as i
on conflict do nothing;
