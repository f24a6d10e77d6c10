-- The one rule for 403 and 404 (private.require_org_role): a non-member gets LY404 whether
-- or not the organization exists, a member below the role LY403, anyone else their role.
begin;
select plan(8);

select tests.create_acme_and_other();

select tests.authenticate_as('viewer');
select is(private.require_org_role(tests.get_org_id('acme'), 'viewer'), 'viewer'::public.org_role,
  'a viewer holds the viewer role');
select throws_ok(format('select private.require_org_role(%L, %L)', tests.get_org_id('acme'), 'member'),
  'LY403', 'this needs the member role or higher', 'a viewer is refused the member role');

select tests.authenticate_as('admin');
select is(private.require_org_role(tests.get_org_id('acme'), 'admin'), 'admin'::public.org_role,
  'an admin holds the admin role');
select throws_ok(format('select private.require_org_role(%L, %L)', tests.get_org_id('acme'), 'owner'),
  'LY403', null, 'an admin is refused the owner role');

select tests.authenticate_as('owner');
select is(private.require_org_role(tests.get_org_id('acme'), 'admin'), 'owner'::public.org_role,
  'an owner holds every lesser role');

select tests.authenticate_as('outsider');
select throws_ok(format('select private.require_org_role(%L, %L)', tests.get_org_id('acme'), 'viewer'),
  'LY404', 'organization not found', 'an outsider is told the organization is not found');
select throws_ok(format('select private.require_org_role(%L, %L)', gen_random_uuid(), 'viewer'),
  'LY404', 'organization not found', 'a missing organization answers exactly the same');

select tests.authenticate_as_anon();
select throws_ok(format('select private.require_org_role(%L, %L)', tests.get_org_id('acme'), 'viewer'),
  '42501', null, 'anon cannot call it');

select * from finish();
rollback;
