/** The package ships no types: the one method the FHIR tests call. */
declare module '@asymmetrik/fhir-json-schema-validator' {
  export default class JSONSchemaValidator {
    constructor(schema?: unknown);
    validate(resource: unknown, verbose?: boolean): { dataPath?: string; message?: string }[];
  }
}
