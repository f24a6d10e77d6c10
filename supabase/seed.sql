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
