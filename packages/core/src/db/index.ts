export { countRequests, outsideTally, type RequestTally } from "./requests.js";
export { TABLE_KEYS, createTableInput } from "./table.js";
export { resetClients } from "./client.js";
export { dynamoFailure } from "./failures.js";
