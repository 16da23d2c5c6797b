/**
 * The live {@link WorkflowOrchestrator}: the engine, the workflows and the
 * pipeline's services of one process.
 */
import * as Layer from "effect/Layer"
import type { UsageError } from "../Domain/Errors.js"
import { WorkflowError } from "../Domain/Workflow.js"
import type { OrchestratorOptions, WorkflowOrchestrator } from "./WorkflowOrchestrator.js"

/** The orchestrator for `options` (see {@link WorkflowOrchestrator.layer}). */
export const orchestratorLayer = (
  _options: OrchestratorOptions
): Layer.Layer<WorkflowOrchestrator, UsageError | WorkflowError> =>
  Layer.fail(new WorkflowError({ message: "the workflow engine is not built yet" }))
