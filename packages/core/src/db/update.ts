/**
 * Builds an UpdateItem expression from plain objects, so callers say what changes
 * (SET / ADD / REMOVE) and which condition must hold, and never concatenate strings.
 */
export interface UpdateSpec {
  set?: Record<string, unknown>;
  add?: Record<string, number>;
  remove?: string[];
  /** Condition expression using #name / :value placeholders defined in names/values. */
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export interface UpdateParts {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export function buildUpdate(spec: UpdateSpec): UpdateParts {
  const names: Record<string, string> = { ...spec.names };
  const values: Record<string, unknown> = { ...spec.values };
  const sets: string[] = [];
  const adds: string[] = [];
  const removes: string[] = [];
  let i = 0;
  for (const [field, value] of Object.entries(spec.set ?? {})) {
    if (value === undefined) continue;
    names[`#u${i}`] = field;
    values[`:u${i}`] = value;
    sets.push(`#u${i} = :u${i}`);
    i++;
  }
  for (const [field, value] of Object.entries(spec.add ?? {})) {
    names[`#u${i}`] = field;
    values[`:u${i}`] = value;
    adds.push(`#u${i} :u${i}`);
    i++;
  }
  for (const field of spec.remove ?? []) {
    names[`#u${i}`] = field;
    removes.push(`#u${i}`);
    i++;
  }
  const parts = [
    sets.length ? `SET ${sets.join(", ")}` : "",
    adds.length ? `ADD ${adds.join(", ")}` : "",
    removes.length ? `REMOVE ${removes.join(", ")}` : "",
  ].filter(Boolean);
  return {
    UpdateExpression: parts.join(" "),
    ...(spec.condition ? { ConditionExpression: spec.condition } : {}),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}
