/** The CrmConnector contract (crm/contract.ts) on the Zoho connector, against the Zoho simulator. */
import { buildZoho, zohoConfigFromEnv } from '../../../lambda/crm/zoho';
import { KeyReader } from '../../../lambda/platform/dynamodb/key-reader';
import { startZohoSimulator } from '../../../bin/zoho-sim/index';
import { freshTables } from '../../helpers/dynamo';
import { CONTRACT_USERS, crmConnectorContract, type ContractSubject } from '../contract';

async function zohoSubject(): Promise<ContractSubject> {
  const sim = await startZohoSimulator({ searchIndexDelayMs: 0 });
  for (const u of CONTRACT_USERS) {
    const [firstName, lastName] = u.name.split(' ');
    sim.state.addUser({ email: u.email, firstName, lastName, timeZone: u.timeZone });
  }
  const t = await freshTables();
  const config = zohoConfigFromEnv(sim.connectorEnv());
  const zoho = buildZoho({ config, doc: t.doc, table: t.tables.crm, reader: new KeyReader(t.doc) });
  return {
    crm: zoho.connector,
    addPerson: async (module, p) => {
      const fields = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== null));
      return (module === 'Leads' ? sim.state.addLead({ Company: 'Acme', ...fields }) : sim.state.addContact(fields)).id as string;
    },
    drop: async () => {
      await sim.stop();
      await t.drop();
    },
  };
}

crmConnectorContract('Zoho (simulated)', zohoSubject);
