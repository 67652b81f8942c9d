import type { IotService } from '../../generated/service.js';
import { AcceptCertificateTransfer } from './AcceptCertificateTransfer.js';
import { AttachThingPrincipal } from './AttachThingPrincipal.js';
import { CancelCertificateTransfer } from './CancelCertificateTransfer.js';
import { CreateCertificateFromCsr } from './CreateCertificateFromCsr.js';
import { CreateKeysAndCertificate } from './CreateKeysAndCertificate.js';
import { DeleteCACertificate } from './DeleteCACertificate.js';
import { DeleteCertificate } from './DeleteCertificate.js';
import { DeleteRegistrationCode } from './DeleteRegistrationCode.js';
import { DescribeCACertificate } from './DescribeCACertificate.js';
import { DescribeCertificate } from './DescribeCertificate.js';
import { DetachThingPrincipal } from './DetachThingPrincipal.js';
import { GetRegistrationCode } from './GetRegistrationCode.js';
import { ListCACertificates } from './ListCACertificates.js';
import { ListCertificates } from './ListCertificates.js';
import { ListCertificatesByCA } from './ListCertificatesByCA.js';
import { ListPrincipalThings } from './ListPrincipalThings.js';
import { ListPrincipalThingsV2 } from './ListPrincipalThingsV2.js';
import { ListThingPrincipals } from './ListThingPrincipals.js';
import { ListThingPrincipalsV2 } from './ListThingPrincipalsV2.js';
import { RegisterCACertificate } from './RegisterCACertificate.js';
import { RegisterCertificate } from './RegisterCertificate.js';
import { RegisterCertificateWithoutCA } from './RegisterCertificateWithoutCA.js';
import { RejectCertificateTransfer } from './RejectCertificateTransfer.js';
import { TransferCertificate } from './TransferCertificate.js';
import { UpdateCACertificate } from './UpdateCACertificate.js';
import { UpdateCertificate } from './UpdateCertificate.js';

/** The certificates family's operations. */
export const certificatesOperations: Partial<IotService> = {
  CreateKeysAndCertificate,
  CreateCertificateFromCsr,
  RegisterCertificate,
  RegisterCertificateWithoutCA,
  DescribeCertificate,
  ListCertificates,
  ListCertificatesByCA,
  UpdateCertificate,
  DeleteCertificate,
  TransferCertificate,
  AcceptCertificateTransfer,
  RejectCertificateTransfer,
  CancelCertificateTransfer,
  GetRegistrationCode,
  DeleteRegistrationCode,
  RegisterCACertificate,
  DescribeCACertificate,
  ListCACertificates,
  UpdateCACertificate,
  DeleteCACertificate,
  AttachThingPrincipal,
  DetachThingPrincipal,
  ListThingPrincipals,
  ListThingPrincipalsV2,
  ListPrincipalThings,
  ListPrincipalThingsV2,
};
