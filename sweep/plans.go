package sweep

import "chipgap/parallel"

// SearchPlans is the valid plans one pass of training.Search estimates
// over space sp for prob: parallel.Space.CountPlans, the one count of a
// search's plans (a server's admission counts with it too). A search
// where no plan fits memory runs again with the stack's memory savings,
// up to three passes in all; SearchPlans counts one.
func SearchPlans(prob parallel.Problem, sp parallel.Space) int { return sp.CountPlans(prob) }
