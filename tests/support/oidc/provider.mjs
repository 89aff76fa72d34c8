// A real OpenID provider for the SSO tests, on loopback: `node provider.mjs PORT REDIRECT_URI`.
//
// Any login signs in (its text is the account's email), as oidc-provider's
// development interactions allow. GET /__test__/mode?audience=X&expired=1&foreign=1
// makes the next token responses carry an ID token re-signed with a wrong
// audience, an expiry in the past, or a key not in the provider's JWKS, so the
// relying party's checks can be seen to refuse them; GET /__test__/mode resets.
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const foreign = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bridge-test-key', alg: 'RS256', use: 'sig' };
let mode = {};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'bridge-client',
    client_secret: 'bridge-client-secret-for-tests',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  conformIdTokenClaims: false, // the email goes in the ID token, as councils' providers put it
  jwks: { keys: [jwk] },
  cookies: { keys: ['bridge-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true }) };
  },
});

async function tamper(idToken) {
  const payload = decodeJwt(idToken);
  if (mode.audience) payload.aud = mode.audience;
  if (mode.expired) { payload.iat -= 7200; payload.exp = payload.iat + 600; }
  const key = mode.foreign ? foreign.privateKey : privateKey;
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' }).sign(key);
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test__/mode') {
    mode = Object.fromEntries(new URLSearchParams(ctx.querystring));
    ctx.body = { mode };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token && Object.keys(mode).length) {
    ctx.body = { ...ctx.body, id_token: await tamper(ctx.body.id_token) };
  }
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
