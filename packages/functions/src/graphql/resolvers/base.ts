import type { ValueNode } from "graphql";
import type { IResolvers } from "@graphql-tools/utils";
import type { GraphQLScalarType } from "graphql";
import {
  CurrencyResolver,
  DateResolver,
  DateTimeResolver,
  EmailAddressResolver,
  JSONResolver,
  LatitudeResolver,
  LongitudeResolver,
  NonNegativeFloatResolver,
  NonNegativeIntResolver,
  PhoneNumberResolver,
  SafeIntResolver,
} from "graphql-scalars";
import { toMajor } from "@growth/core/shared";
import type { Principal } from "../auth.js";
import type { Context } from "../context.js";
import { allowedFields, canSeePersonalData, definePermissions, READ } from "../permissions.js";

/** A resolver map; each area module exports one and is listed in `resolvers/index.ts`. */
export type Resolvers = IResolvers<any, Context>;

/** What a `Money` field resolves from: the stored integer and its currency. */
export interface MoneyValue {
  minor: number;
  currency: string;
}

export const money = (minor: number, currency: string): MoneyValue => ({ minor, currency });

/** A graphql-scalars implementation without its name/description, so the SDL's description stays. */
function scalar(type: GraphQLScalarType) {
  return {
    serialize: type.serialize,
    parseValue: type.parseValue,
    parseLiteral: type.parseLiteral,
    ...(type.specifiedByURL ? { specifiedByURL: type.specifiedByURL } : {}),
  };
}

definePermissions({
  "Query.viewer": { roles: READ, partner: true, doc: "The caller's identity, tenant, role and allowed fields." },
});

const isoOf = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

export const baseResolvers: Resolvers = {
  // graphql-scalars serializes to a Date object; the wire format is the ISO string either way,
  // and in-process callers (tests, scripts) should see the same string.
  // Inputs reach core as UTC ISO strings too (core's contracts are strings; a Date object would
  // reach string code such as `.trim()`), after graphql-scalars has checked them.
  DateTime: {
    ...scalar(DateTimeResolver),
    serialize: (value: unknown) => {
      const date = DateTimeResolver.serialize(value) as unknown;
      return date instanceof Date ? date.toISOString() : date;
    },
    parseValue: (value: unknown) => isoOf(DateTimeResolver.parseValue(value)),
    parseLiteral: (ast: ValueNode) => isoOf(DateTimeResolver.parseLiteral(ast, {})),
  },
  Date: scalar(DateResolver),
  EmailAddress: scalar(EmailAddressResolver),
  PhoneNumber: scalar(PhoneNumberResolver),
  SafeInt: scalar(SafeIntResolver),
  NonNegativeInt: scalar(NonNegativeIntResolver),
  NonNegativeFloat: scalar(NonNegativeFloatResolver),
  Latitude: scalar(LatitudeResolver),
  Longitude: scalar(LongitudeResolver),
  Currency: scalar(CurrencyResolver),
  JSON: scalar(JSONResolver),

  Query: {
    viewer: (_source: unknown, _args: unknown, ctx: Context): Principal => ctx.principal,
  },

  Viewer: {
    principalId: (p: Principal) => p.principalId,
    tenantId: (p: Principal) => p.tenantId,
    role: (p: Principal) => (p.kind === "PARTNER" ? "PARTNER" : p.role),
    canSeePersonalData: (p: Principal) => canSeePersonalData(p),
    permissions: (p: Principal) => allowedFields(p),
  },

  Money: {
    amount: (m: MoneyValue) => toMajor(m.minor),
    minor: (m: MoneyValue) => m.minor,
    currency: (m: MoneyValue) => m.currency,
  },
};
