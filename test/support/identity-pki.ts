// Test PKI for identity tests: a root trust anchor and an intermediate issuer, as `linkerd install`
// would produce (ECDSA P-256).
import { webcrypto } from 'node:crypto';
import { encodePem } from '../../src/util/pem.js';
import { x509 } from '../../src/runtime/identity/x509.js';

export interface TestPki {
  anchorPem: string;
  issuerCertPem: string;
  issuerKeyPem: string;
  anchor: x509.X509Certificate;
  issuer: x509.X509Certificate;
  rootKeys: webcrypto.CryptoKeyPair;
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
}

const ALG = { name: 'ECDSA', hash: 'SHA-256' };

export async function createTestPki(
  opts: {
    issuerNotAfter?: Date;
    issuerIsCa?: boolean;
    anchorNotAfter?: Date;
    /** Issue under an existing root instead of a new one (issuer rotation). */
    root?: Pick<TestPki, 'anchor' | 'anchorPem' | 'rootKeys'>;
  } = {},
): Promise<TestPki> {
  const now = Date.now();
  const rootKeys = opts.root?.rootKeys ?? (await keyPair());
  const anchor =
    opts.root?.anchor ??
    (await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=root.linkerd.cluster.local',
      keys: rootKeys as never,
      notBefore: new Date(now - 3_600_000),
      notAfter: opts.anchorNotAfter ?? new Date(now + 365 * 86_400_000),
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey as never),
      ],
    }));
  const issuerKeys = await keyPair();
  const issuer = await x509.X509CertificateGenerator.create({
    subject: 'CN=identity.linkerd.cluster.local',
    issuer: anchor.subjectName,
    publicKey: issuerKeys.publicKey as never,
    signingKey: rootKeys.privateKey as never,
    notBefore: new Date(now - 3_600_000),
    notAfter: opts.issuerNotAfter ?? new Date(now + 30 * 86_400_000),
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(opts.issuerIsCa ?? true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(issuerKeys.publicKey as never),
    ],
  });
  const keyDer = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', issuerKeys.privateKey));
  return {
    rootKeys,
    anchorPem: anchor.toString('pem') + '\n',
    issuerCertPem: issuer.toString('pem') + '\n',
    issuerKeyPem: encodePem('PRIVATE KEY', keyDer),
    anchor,
    issuer,
  };
}

/** A CSR with arbitrary names, for negative tests. */
export async function customCsr(params: {
  cn?: string;
  /** A whole subject DN (`CN=a, O=b`); wins over `cn`. */
  subject?: string;
  san?: { type: 'dns' | 'email' | 'ip' | 'url' | 'upn' | 'dn'; value: string }[];
  rsa?: boolean;
  curve?: 'P-256' | 'P-384';
}): Promise<Uint8Array> {
  const curve = params.curve ?? 'P-256';
  const keys = params.rsa
    ? ((await webcrypto.subtle.generateKey(
        { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true,
        ['sign', 'verify'],
      )) as webcrypto.CryptoKeyPair)
    : ((await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, [
        'sign',
        'verify',
      ])) as webcrypto.CryptoKeyPair);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: params.subject ?? (params.cn === undefined ? [] : [{ CN: [params.cn] }]),
    keys: keys as never,
    signingAlgorithm: params.rsa ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : ALG,
    extensions: params.san === undefined ? [] : [new x509.SubjectAlternativeNameExtension(params.san)],
  });
  return new Uint8Array(csr.rawData);
}
