import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { CertifyResponseSchema, type CertifyRequest, type Identity } from '../../proto/gen/identity_pb.js';
import { checkCsrNames, csrNames, parseCsr } from './csr.js';
import { Code, refuse } from './errors.js';
import type { Issuer } from './issuer.js';
import { issueLeaf, type Validity } from './leaf.js';
import { identityFromToken, type TokenReviewer } from './token.js';
import { verifyChain, type x509 } from './x509.js';

export interface CertifyDeps {
  issuer(): Issuer | undefined;
  anchors: readonly x509.X509Certificate[];
  validity: Validity;
  review: TokenReviewer;
  /** `identity.<controller-ns>.<trust-domain>`: the suffix of every workload identity. */
  trustDomainSuffix: string;
  onIssuerInvalid(err: Error, identity: string): void;
  onIssued(identity: string, notAfter: Date, sha256: string): void;
  now?(): Date;
}

/**
 * Largest token passed on to TokenReview. Projected ServiceAccount tokens are JWTs of about 1 KiB;
 * the bound keeps a crafted token from costing the API server (and this process) more than that.
 */
export const MAX_TOKEN_BYTES = 64 * 1024;

/** Certify, with the checks of controllers.md §1.4 in their upstream order. */
export function identityService(deps: CertifyDeps): ServiceImpl<typeof Identity> {
  return {
    async certify(req: CertifyRequest) {
      const issuer = deps.issuer();
      if (issuer === undefined) throw refuse(Code.Unavailable, 'cert issuer not ready yet');
      const { identity, token, certificateSigningRequest: csrDer } = req;
      if (identity === '') throw refuse(Code.InvalidArgument, 'missing identity');
      if (token.length === 0) throw refuse(Code.InvalidArgument, 'missing token');
      if (token.length > MAX_TOKEN_BYTES) {
        throw refuse(Code.InvalidArgument, `token too large: ${token.length} bytes (at most ${MAX_TOKEN_BYTES})`);
      }
      if (csrDer.length === 0) throw refuse(Code.InvalidArgument, 'missing certificate signing request');
      const csr = await parseCsr(csrDer);
      const now = deps.now?.() ?? new Date();
      try {
        await verifyChain(issuer.certificate, issuer.chain, deps.anchors, now);
      } catch (err) {
        deps.onIssuerInvalid(err as Error, identity);
        throw refuse(Code.Unknown, (err as Error).message);
      }
      checkCsrNames(csrNames(csr), identity);
      const tokenIdentity = await identityFromToken(
        deps.review,
        Buffer.from(token).toString('utf8'),
        identity,
        deps.trustDomainSuffix,
      );
      if (tokenIdentity !== identity) {
        throw refuse(
          Code.FailedPrecondition,
          `requested identity did not match provided token: requested=${identity}; found=${tokenIdentity}`,
        );
      }
      const leaf = await issueLeaf(issuer, csr, identity, deps.validity, now);
      deps.onIssued(identity, leaf.notAfter, leaf.sha256);
      return create(CertifyResponseSchema, {
        leafCertificate: leaf.der,
        intermediateCertificates: leaf.intermediates,
        validUntil: timestampFromDate(leaf.notAfter),
      });
    },
  };
}
