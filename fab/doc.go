// Package fab models how accelerators are made and how many can be: dies
// per wafer, defect-limited yield, multi-die packages with HBM, the cost of
// a good die and of a good package, and a year's supply limited by the
// tightest of wafers, HBM stacks and advanced packaging.
//
// Reading guide: fab.go (wafer geometry), yield.go (yield models),
// package.go (multi-die packages and prices), estimate.go (Estimate: cost
// per good die/package), supply.go (Supply: binding constraint).
//
// Model.
//
//   - Dies per wafer: ⌊π·(d/2)²/A − π·d/√(2·A)⌋, d the usable diameter
//     (wafer diameter − 2 × edge exclusion), A the stepped area of the
//     die with its scribe street: (w + scribe)·(h + scribe) for a w × h
//     outline, (√area + scribe)² when only the area is known. The second
//     term counts the partial dies lost at the edge.
//   - Die yield, with x = area (cm²) × D0 (killer defects per cm²):
//     Poisson e^(−x); Murphy ((1 − e^(−x))/x)²; negative binomial
//     (1 + x/α)^(−α), α the clustering parameter (α → ∞ is Poisson);
//     Seeds 1/(1 + x) (negative binomial with α = 1). ImpliedD0 inverts
//     them to turn a reported yield into an effective D0.
//   - Packages: with known-good-die (KGD) test, only good dies are
//     assembled and the package yield is the assembly yield Ya; without
//     it, a package of n dies is good with probability Yⁿ·Ya.
//   - Cost per good die = wafer price / (dies per wafer × Y). A good
//     package costs (dies + HBM stacks·price + packaging + test) divided by
//     the package yield, since failed assemblies scrap their parts.
//   - Supply per year, good packages: wafers 12·starts/month·share·DPW /
//     dies per good package (DPW dies per wafer; dies per good package =
//     n/(Y·Ya) with KGD, n/(Yⁿ·Ya) without, for n dies per package); HBM stacks/year / stacks per good package;
//     packaging assemblies/year × package yield. The smallest binds.
//     Deployed FLOP/s = good packages × peak per package.
//
// Assumptions: rectangular dies (square when only the area is known); defects independent of position apart from
// the clustering α; no partial-good harvesting (big AI dies ship with
// spare cores disabled, so sellable yield is higher than defect-free
// yield — an effective D0 back-solved from reported yields absorbs it);
// HBM stacks arrive tested.
//
// Units: lengths in mm, areas in mm² (D0 per cm²; the code converts),
// money in units.USD, compute in units.FLOPRate, yields and shares as
// fractions in [0, 1]. The defaults (defect densities, wafer prices,
// die areas, HBM and packaging capacity) live with their sources and
// ranges in catalog/data/fab.yaml.
//
// Sources: the dies-per-wafer and yield formulas as collected by
// calculator.academy (calc_dpw) and the legitlads yield console
// (legitlads_yield); Murphy, "Cost-size optima of monolithic integrated
// circuits", Proc. IEEE 52 (1964); Stapper, "Modeling of defects in
// integrated circuit photolithographic patterns", IBM J. Res. Dev. 28
// (1984) for the negative binomial.
package fab
