// GENERATED FILE, DO NOT EDIT. Regenerate with `npm run gen`.
// Source: @matter/model@0.15.6 (Matter 1.4),
// generator codegen/src/matter/generate-matter.ts, overrides codegen/inputs/matter/overrides.json.
import type { MatterModelSource } from '../model.js';

/** Where the generated table comes from. */
export const MATTER_MODEL_SOURCE: MatterModelSource = {
  "package": "@matter/model",
  "packageVersion": "0.15.6",
  "specRevision": "1.4",
  "specVersion": "1.4"
};
