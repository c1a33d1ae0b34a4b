// Development and test OpenID provider for the MDT-portaal: one issuer per
// partner organisation, each on its own loopback port. Not for production.
//
//   node server.js --base-port 5101 --portal http://127.0.0.1:5000 [--backchannel URL] [--ready-file F]
//
// Issuers are http://127.0.0.1:<base-port + i>, in the order of accounts.json.
// PKCE (S256) is required; ID tokens carry name, email, organisation and roles.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    'base-port': { type: 'string', default: '5101' },
    portal: { type: 'string', default: 'http://127.0.0.1:5000' },
    // Where the provider POSTs back-channel logout tokens (default: the portal itself).
    backchannel: { type: 'string' },
    'client-secret': { type: 'string', default: 'dev-secret-not-for-production' },
    accounts: { type: 'string', default: new URL('./accounts.json', import.meta.url).pathname },
    'ready-file': { type: 'string' },
  },
});

const LABELS = {
  kmar: 'Koninklijke Marechaussee', politie: 'Politie', ind: 'IND', om: 'Openbaar Ministerie',
  jenv: 'Ministerie van Justitie en Veiligheid', partners: 'Rijkspartners (BZ, NLA, EMM)',
};
const accountsByIdp = JSON.parse(readFileSync(args.accounts, 'utf8'));

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.5">
<p><strong>Ontwikkel-inlogdienst</strong> – alleen voor ontwikkeling en tests.</p>${body}</body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
      if (data.length > 10000) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
    req.on('error', reject);
  });
}

function buildProvider(name, port) {
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = accountsByIdp[name];
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'portal',
      client_secret: args['client-secret'],
      redirect_uris: [`${args.portal}/auth/callback/${name}`],
      post_logout_redirect_uris: [`${args.portal}/login`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      // OpenID Connect Back-Channel Logout 1.0: signing out here ends the user's portal sessions.
      backchannel_logout_uri: `${args.backchannel || args.portal}/auth/backchannel-logout/${name}`,
      backchannel_logout_session_required: true,
    }],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true }, backchannelLogout: { enabled: true } },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'organisation', 'roles'],
    },
    conformIdTokenClaims: false,
    // The provider refuses to fetch loopback addresses (SSRF protection); here the portal *is* on loopback.
    fetch: (url, options) => fetch(url, { ...options, dispatcher: undefined }),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const account = accounts.find((a) => a.username === sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = { sub, name: account.name, email: account.email, email_verified: true };
          if (account.organisation) claims.organisation = account.organisation;
          if (account.roles) claims.roles = account.roles;
          return claims;
        },
      };
    },
  });
  provider.proxy = false;
  provider.on('backchannel.error', (ctx, err, client) => console.log(`idp ${name} backchannel error ${client.clientId}: ${err.message}`));
  provider.on('backchannel.success', (ctx, client) => console.log(`idp ${name} backchannel sent to ${client.clientId}`));

  const loginPage = (uid, error) => page(`Inloggen – ${LABELS[name]}`, `
<h1>Inloggen bij ${escape(LABELS[name])}</h1>
${error ? `<p role="alert"><strong>${escape(error)}</strong></p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <p><label for="username">Gebruikersnaam</label><br><input id="username" name="username" autocomplete="username" required></p>
  <p><label for="password">Wachtwoord</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Inloggen</button></p>
</form>
<h2>Demo-accounts</h2>
<table><thead><tr><th scope="col">Gebruikersnaam</th><th scope="col">Wachtwoord</th><th scope="col">Naam</th></tr></thead><tbody>
${accounts.map((a) => `<tr><td>${escape(a.username)}</td><td>${escape(a.password)}</td><td>${escape(a.name)}</td></tr>`).join('')}
</tbody></table>`);

  async function interactions(req, res) {
    const url = new URL(req.url, issuer);
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return false;
    const details = await provider.interactionDetails(req, res);
    const send = (status, html) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    };
    if (details.prompt.name === 'login') {
      if (req.method === 'POST' && match[2]) {
        const form = await readForm(req);
        const account = accounts.find((a) => a.username === form.username && a.password === form.password);
        if (!account) {
          send(200, loginPage(details.uid, 'Onbekende gebruikersnaam of verkeerd wachtwoord.'));
          return true;
        }
        await provider.interactionFinished(req, res, { login: { accountId: account.username } }, { mergeWithLastSubmission: false });
        return true;
      }
      send(200, loginPage(details.uid));
      return true;
    }
    // The portal is a first-party client: consent is given on the user's behalf.
    const { prompt: { details: missing }, params, session, grantId } = details;
    const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const newGrantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId: newGrantId } }, { mergeWithLastSubmission: true });
    return true;
  }

  const callback = provider.callback();
  const server = http.createServer(async (req, res) => {
    try {
      if (!(await interactions(req, res))) callback(req, res);
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Inloggen mislukt: ${err.message}`);
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ name, issuer })));
}

const base = Number(args['base-port']);
const started = await Promise.all(Object.keys(accountsByIdp).map((name, i) => buildProvider(name, base + i)));
for (const { name, issuer } of started) console.log(`idp ${name} ${issuer}`);
if (args['ready-file']) {
  // Written whole, then renamed: whoever waits for the file never reads it half-written.
  writeFileSync(`${args['ready-file']}.tmp`, JSON.stringify(started));
  renameSync(`${args['ready-file']}.tmp`, args['ready-file']);
}
