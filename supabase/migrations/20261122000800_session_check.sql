-- ===========================================================================
-- signed-out sessions
-- ===========================================================================
-- An access token stays valid until it expires (up to an hour) even after its session
-- is signed out (POST /auth/v1/logout deletes the auth.sessions row) or revoked (a reused
-- refresh token sets not_after). shared/db.ts calls this in the statement that sets up
-- every user transaction, so a data request with such a token fails at no extra round
-- trip. SQLSTATE LY401 is answered 401 by shared/http/errors.ts.
--
-- A token without a session_id (minted with the project's key, not by a sign-in) has no
-- session to end: `session` is null and the check passes. The session must also belong
-- to the token's user. Security definer because the API roles cannot read auth.sessions.
create function private.assert_live_session(session uuid, owner uuid) returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
begin
  if session is null then
    return true;
  end if;
  if not exists (
    select 1 from auth.sessions s
    where s.id = session and s.user_id = owner and (s.not_after is null or s.not_after > now())
  ) then
    raise exception 'the session has ended; sign in again' using errcode = 'LY401';
  end if;
  return true;
end
$$;

revoke all on function private.assert_live_session(uuid, uuid)
  from public, anon, authenticated, service_role;
grant execute on function private.assert_live_session(uuid, uuid) to authenticated;
