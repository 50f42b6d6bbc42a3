// Package plot draws the few chart kinds chipgap's report and web page
// need — horizontal bars with range whiskers, tornado (sensitivity) charts,
// line charts, region maps and scatter charts with a Pareto frontier — as self-contained SVG with a fixed size and palette, so
// the same input gives the same bytes and a report embeds them with no
// external script or style.
//
// It is a leaf (layer 1): it takes plain float64s and labels, not
// chipgap's domain types.
package plot
