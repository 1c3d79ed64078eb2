#!/usr/bin/env node
/** The CDK app: `npx cdk deploy` (knobs as context, see docs/aws-deploy.md). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CaldavStack, contextProps } from '../lib/caldav-stack';

const app = new App();
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'CrmCaldav';
new CaldavStack(app, stackName, {
  ...contextProps(app),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// Unacknowledged AwsSolutions findings stop the synth, so they can never reach a deploy.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
