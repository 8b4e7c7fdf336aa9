export { ImportWizard } from './ImportWizard.tsx';
export type { ImportWizardProps } from './ImportWizard.tsx';
export { runImportPipeline, ImportCancelledError } from './pipeline.ts';
export type {
  ImportPipelineArgs,
  ImportPipelineResult,
  ImportProgress,
  ProblemDecision,
} from './pipeline.ts';
