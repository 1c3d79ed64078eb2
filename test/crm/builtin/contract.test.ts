/** The CrmConnector contract (crm/contract.ts) on the in-memory reference connector and on the built-in CRM over DynamoDB Local. */
import { MemoryCrmConnector } from '../../../lambda/crm/memory';
import { freshTables, type TestTables } from '../../helpers/dynamo';
import { CONTRACT_USERS, crmConnectorContract, type ContractSubject } from '../contract';
import { builtinOn } from './helpers';

async function memorySubject(): Promise<ContractSubject> {
  const crm = new MemoryCrmConnector();
  for (const u of CONTRACT_USERS) crm.addUser({ id: u.email, ...u });
  let n = 0;
  return {
    crm,
    addPerson: async (module, p) => crm.addPerson({ id: `p${++n}`, module, ...p }).id,
    drop: async () => {},
  };
}

async function builtinSubject(): Promise<ContractSubject> {
  const t: TestTables = await freshTables();
  const { crm } = await builtinOn(t);
  return {
    crm,
    addPerson: async (module, p) => (await crm.savePerson({ module, ...p })).id,
    drop: () => t.drop(),
  };
}

crmConnectorContract('memory', memorySubject);
crmConnectorContract('builtin (DynamoDB Local)', builtinSubject);
