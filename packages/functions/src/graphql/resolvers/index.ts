import { analyticsResolvers } from "./analytics.js";
import { baseResolvers, type Resolvers } from "./base.js";
import { campaignResolvers } from "./campaign.js";
import { contentResolvers } from "./content.js";
import { couponResolvers } from "./coupon.js";
import { eventResolvers } from "./event.js";
import { journeyResolvers } from "./journey.js";
import { memberResolvers } from "./member.js";
import { kpiResolvers } from "./kpi.js";
import { metricsResolvers } from "./metrics.js";
import { orderResolvers } from "./order.js";
import { partnerResolvers } from "./partner.js";
import { multiplierResolvers } from "./multiplier.js";
import { pointsResolvers } from "./points.js";
import { referralResolvers } from "./referral.js";
import { segmentResolvers } from "./segment.js";
import { serviceResolvers } from "./service.js";
import { staffResolvers } from "./staff.js";
import { storeResolvers } from "./store.js";
import { tenantResolvers } from "./tenant.js";

/**
 * Every area's resolver map. To add an area: write `resolvers/<area>.ts` exporting a
 * `Resolvers` map (and calling `definePermissions` for its root fields), then list it here.
 * The maps are merged by `makeExecutableSchema`; a type or field defined twice is an error.
 */
export const resolverMaps: Resolvers[] = [baseResolvers, tenantResolvers, memberResolvers, orderResolvers, eventResolvers, pointsResolvers, storeResolvers, metricsResolvers, kpiResolvers, segmentResolvers, contentResolvers, campaignResolvers, couponResolvers, partnerResolvers, referralResolvers, multiplierResolvers, journeyResolvers, analyticsResolvers, serviceResolvers, staffResolvers];

export type { Resolvers } from "./base.js";
