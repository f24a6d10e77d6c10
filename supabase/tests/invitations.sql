-- Invitations under RLS (admins only, per organization) and private.accept_invitation
-- (the invitee, matched by the verified e-mail of their token, joins with the invited role).
begin;
select plan(36);

select tests.create_acme_and_other();
select tests.create_supabase_user('invitee', 'Invitee@Test.Local');
select tests.create_supabase_user('latecomer');

-- ---------------------------------------------------------------------------
-- Structure and grants
-- ---------------------------------------------------------------------------
select ok((select relrowsecurity from pg_class where oid = 'public.invitations'::regclass),
  'invitations has RLS enabled');
select table_privs_are('public', 'invitations', 'anon', array[]::text[],
  'anon has no privileges on invitations');
select table_privs_are('public', 'invitations', 'authenticated',
  array['SELECT', 'INSERT', 'DELETE'],
  'authenticated may select, insert and delete invitations, never update them');
select function_privs_are('private', 'accept_invitation', array['text'], 'anon', array[]::text[],
  'anon cannot execute accept_invitation');

-- ---------------------------------------------------------------------------
-- anon
-- ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok('select * from public.invitations', '42501', null, 'anon cannot read invitations');
select throws_ok($$select private.accept_invitation(repeat('a', 64))$$, '42501', null,
  'anon cannot accept invitations');

-- ---------------------------------------------------------------------------
-- insert: admins and owners invite
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select lives_ok(
  $$insert into public.invitations (id, org_id, email, role, token_hash, invited_by)
    values ('00000000-0000-4000-8000-0000000000a1', tests.get_org_id('acme'), 'invitee@test.local',
            'admin', encode(extensions.digest('token-a', 'sha256'), 'hex'),
            tests.get_supabase_uid('admin'))$$,
  'an admin can invite'
);
select throws_ok(
  $$insert into public.invitations (org_id, email, token_hash, invited_by)
    values (tests.get_org_id('acme'), 'invitee@test.local', repeat('b', 64), tests.get_supabase_uid('admin'))$$,
  '23505', null, 'one open invitation per address and organization'
);
select throws_ok(
  $$insert into public.invitations (org_id, email, role, token_hash, invited_by)
    values (tests.get_org_id('acme'), 'boss@test.local', 'owner', repeat('c', 64), tests.get_supabase_uid('admin'))$$,
  '23514', null, 'nobody is invited as owner'
);
select throws_ok(
  $$insert into public.invitations (org_id, email, token_hash, invited_by)
    values (tests.get_org_id('acme'), 'forged@test.local', repeat('d', 64), tests.get_supabase_uid('owner'))$$,
  '42501', null, 'an admin cannot invite in the name of someone else'
);
select tests.authenticate_as('owner');
select lives_ok(
  $$insert into public.invitations (id, org_id, email, role, token_hash, invited_by, expires_at)
    values ('00000000-0000-4000-8000-0000000000a2', tests.get_org_id('acme'), 'latecomer@test.local',
            'viewer', encode(extensions.digest('token-late', 'sha256'), 'hex'),
            tests.get_supabase_uid('owner'), now() - interval '1 minute')$$,
  'an owner can invite (this one is already expired)'
);
select tests.authenticate_as('member');
select throws_ok(
  $$insert into public.invitations (org_id, email, token_hash, invited_by)
    values (tests.get_org_id('acme'), 'friend@test.local', repeat('e', 64), tests.get_supabase_uid('member'))$$,
  '42501', null, 'a member cannot invite'
);
select tests.authenticate_as('viewer');
select throws_ok(
  $$insert into public.invitations (org_id, email, token_hash, invited_by)
    values (tests.get_org_id('acme'), 'friend@test.local', repeat('e', 64), tests.get_supabase_uid('viewer'))$$,
  '42501', null, 'a viewer cannot invite'
);
select tests.authenticate_as('outsider');
select throws_ok(
  $$insert into public.invitations (org_id, email, token_hash, invited_by)
    values (tests.get_org_id('acme'), 'spy@test.local', repeat('f', 64), tests.get_supabase_uid('outsider'))$$,
  '42501', null, 'an outsider cannot invite to another organization'
);

-- ---------------------------------------------------------------------------
-- select: admins and owners only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('owner');
select is((select count(*)::int from public.invitations), 2, 'an owner sees the invitations');
select tests.authenticate_as('admin');
select is((select count(*)::int from public.invitations), 2, 'an admin sees the invitations');
select tests.authenticate_as('member');
select is_empty('select * from public.invitations', 'a member sees no invitations');
select tests.authenticate_as('viewer');
select is_empty('select * from public.invitations', 'a viewer sees no invitations');
select tests.authenticate_as('outsider');
select is_empty('select * from public.invitations', 'an outsider sees no invitations');
select tests.authenticate_as('invitee');
select is_empty('select * from public.invitations',
  'the invitee cannot read invitations (they accept by token)');

-- ---------------------------------------------------------------------------
-- accept_invitation
-- ---------------------------------------------------------------------------
select tests.authenticate_as('outsider');
select throws_ok(
  $$select private.accept_invitation(encode(extensions.digest('token-a', 'sha256'), 'hex'))$$,
  'LY404', 'invitation not found, expired, or addressed to someone else',
  'someone with another e-mail address cannot accept'
);
select throws_ok($$select private.accept_invitation(repeat('0', 64))$$, 'LY404', null,
  'an unknown token is not found');
select tests.authenticate_as('latecomer');
select throws_ok(
  $$select private.accept_invitation(encode(extensions.digest('token-late', 'sha256'), 'hex'))$$,
  'LY404', null, 'an expired invitation cannot be accepted'
);
select tests.authenticate_as('invitee');
select is(
  private.accept_invitation(encode(extensions.digest('token-a', 'sha256'), 'hex')),
  tests.get_org_id('acme'),
  'the invitee accepts (their e-mail matches whatever its case) and gets the organization id'
);
select is(private.org_role(tests.get_org_id('acme')), 'admin'::public.org_role,
  'the invitee is now a member with the invited role');
select results_eq('select slug from public.organizations', $$values ('acme')$$,
  'and sees the organization');
select is(
  (select default_organization_id from public.profiles where id = tests.get_supabase_uid('invitee')),
  tests.get_org_id('acme'),
  'it became their default organization, as they had none'
);
select throws_ok(
  $$select private.accept_invitation(encode(extensions.digest('token-a', 'sha256'), 'hex'))$$,
  'LY404', null, 'an invitation is accepted only once'
);
select tests.clear_authentication();
select isnt(
  (select accepted_at from public.invitations where id = '00000000-0000-4000-8000-0000000000a1'),
  null, 'the invitation is marked accepted'
);
select is(
  (select accepted_by from public.invitations where id = '00000000-0000-4000-8000-0000000000a1'),
  tests.get_supabase_uid('invitee'), 'by the invitee'
);

-- An invitation for someone who is already a member.
insert into public.invitations (org_id, email, token_hash, invited_by)
values (tests.get_org_id('acme'), 'member@test.local',
        encode(extensions.digest('token-member', 'sha256'), 'hex'), tests.get_supabase_uid('owner'));
select tests.authenticate_as('member');
select throws_ok(
  $$select private.accept_invitation(encode(extensions.digest('token-member', 'sha256'), 'hex'))$$,
  'LY409', 'already a member of this organization', 'a member cannot accept again'
);

-- ---------------------------------------------------------------------------
-- delete: admins revoke open invitations
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select is_empty(
  $$delete from public.invitations where email = 'member@test.local' returning id$$,
  'a member cannot revoke invitations'
);
select tests.authenticate_as('outsider');
select is_empty(
  $$delete from public.invitations where email = 'member@test.local' returning id$$,
  'an outsider cannot revoke invitations'
);
select tests.authenticate_as('admin');
select is_empty(
  $$delete from public.invitations where id = '00000000-0000-4000-8000-0000000000a1' returning id$$,
  'an accepted invitation cannot be deleted'
);
select results_eq(
  $$delete from public.invitations where email = 'member@test.local' returning email$$,
  $$values ('member@test.local')$$,
  'an admin can revoke an open invitation'
);
select throws_ok(
  $$update public.invitations set role = 'admin' where email = 'latecomer@test.local'$$,
  '42501', null, 'invitations are never updated (only revoked)'
);

select * from finish();
rollback;
