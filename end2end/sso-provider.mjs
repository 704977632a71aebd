// An independent OpenID provider for the browser tests: the `oidc-provider`
// package on loopback, with its development sign-in pages (any login is
// accepted and becomes that account's verified email).
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 3100);
const jhe = process.argv[3] ?? 'http://127.0.0.1:3000';

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'jhe-e2e',
    client_secret: 'jhe-e2e-secret-that-is-long-enough',
    redirect_uris: [`${jhe}/accounts/sso/callback`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, email: id, email_verified: true }; } };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['e2e-only-cookie-signing-key'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`OpenID provider listening on http://127.0.0.1:${port}`);
});
