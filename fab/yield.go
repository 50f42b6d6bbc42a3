package fab

import (
	"fmt"
	"math"
	"strings"
)

// YieldModel is a defect-limited die yield model.
type YieldModel int

// The yield models; x = A·D0 (area in cm² times killer defects per cm²).
const (
	Poisson     YieldModel = iota + 1 // e^(−x): uniform random defects, pessimistic for big dies
	Murphy                            // ((1 − e^(−x))/x)²: the common industry default
	NegBinomial                       // (1 + x/α)^(−α): clustered defects; α → ∞ is Poisson
	Seeds                             // 1/(1 + x): optimistic; NegBinomial with α = 1
)

var modelNames = map[YieldModel]string{Poisson: "poisson", Murphy: "murphy", NegBinomial: "negbin", Seeds: "seeds"}

func (m YieldModel) String() string {
	if s, ok := modelNames[m]; ok {
		return s
	}
	return fmt.Sprintf("YieldModel(%d)", int(m))
}

// ParseYieldModel reads "poisson", "murphy", "negbin" or "seeds".
func ParseYieldModel(s string) (YieldModel, error) {
	for _, m := range []YieldModel{Poisson, Murphy, NegBinomial, Seeds} {
		if strings.EqualFold(s, m.String()) {
			return m, nil
		}
	}
	return 0, fmt.Errorf("fab: unknown yield model %q: want one of poisson, murphy, negbin, seeds", s)
}

// Defects describes the process: killer defect density D0 per cm², and
// the clustering parameter α the negative binomial model uses.
type Defects struct {
	D0PerCM2 float64 `json:"d0_per_cm2"`
	Alpha    float64 `json:"alpha,omitempty"`
}

// DieYield is the fraction of dies of area areaMM2 with no killer defect.
func DieYield(m YieldModel, areaMM2 float64, d Defects) (float64, error) {
	if err := positive("die area (mm²)", areaMM2); err != nil {
		return 0, err
	}
	if err := check("defect density (per cm²)", d.D0PerCM2, d.D0PerCM2 >= 0 && d.D0PerCM2 < 100, "0 <= D0 < 100 per cm²"); err != nil {
		return 0, err
	}
	x := areaMM2 / 100 * d.D0PerCM2
	switch m {
	case Poisson:
		return math.Exp(-x), nil
	case Murphy:
		if x == 0 {
			return 1, nil
		}
		f := -math.Expm1(-x) / x
		return f * f, nil
	case NegBinomial:
		if err := positive("clustering alpha", d.Alpha); err != nil {
			return 0, err
		}
		return math.Pow(1+x/d.Alpha, -d.Alpha), nil
	case Seeds:
		return 1 / (1 + x), nil
	}
	return 0, fmt.Errorf("fab: unknown yield model %v", m)
}

// ImpliedD0 back-solves the defect density at which model m gives the
// yield y for a die of area areaMM2 (bisection; all four models fall
// monotonically in D0). It turns a reported yield into an effective D0.
func ImpliedD0(m YieldModel, areaMM2, y float64, alpha float64) (float64, error) {
	if err := check("yield", y, y > 0 && y < 1, "a fraction in (0, 1)"); err != nil {
		return 0, err
	}
	lo, hi := 0.0, 99.0
	for range 200 {
		mid := (lo + hi) / 2
		got, err := DieYield(m, areaMM2, Defects{D0PerCM2: mid, Alpha: alpha})
		if err != nil {
			return 0, err
		}
		if got > y {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2, nil
}

// MarshalText writes the model's name, so JSON shows "murphy".
func (m YieldModel) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a model name (see ParseYieldModel).
func (m *YieldModel) UnmarshalText(b []byte) (err error) {
	*m, err = ParseYieldModel(string(b))
	return err
}
