package config

import (
	"math"
	"sort"
)

// Region describes one commercial AWS region: where it is (for choosing the
// nearest proxy region of a resource region) and how many availability zones
// an account can count on there.
type Region struct {
	// Name is the AWS region code, e.g. "eu-central-1".
	Name string
	// Location is the city the region is named after, for humans.
	Location string
	// Lat and Lon are the approximate coordinates of that city, in degrees.
	Lat, Lon float64
	// AZs is the number of availability zones every account gets there.
	AZs int
}

// regionTable lists the commercial AWS regions this app can deploy to. GovCloud
// and China are left out on purpose: the reference design does not cover them.
// Coordinates are those of the metro area; that is precise enough to rank
// regions by great-circle distance.
var regionTable = []Region{
	{"af-south-1", "Cape Town", -33.92, 18.42, 3},
	{"ap-east-1", "Hong Kong", 22.32, 114.17, 3},
	{"ap-east-2", "Taipei", 25.03, 121.56, 3},
	{"ap-northeast-1", "Tokyo", 35.68, 139.69, 3},
	{"ap-northeast-2", "Seoul", 37.57, 126.98, 3},
	{"ap-northeast-3", "Osaka", 34.69, 135.50, 3},
	{"ap-south-1", "Mumbai", 19.08, 72.88, 3},
	{"ap-south-2", "Hyderabad", 17.39, 78.49, 3},
	{"ap-southeast-1", "Singapore", 1.35, 103.82, 3},
	{"ap-southeast-2", "Sydney", -33.87, 151.21, 3},
	{"ap-southeast-3", "Jakarta", -6.21, 106.85, 3},
	{"ap-southeast-4", "Melbourne", -37.81, 144.96, 3},
	{"ap-southeast-5", "Kuala Lumpur", 3.14, 101.69, 3},
	{"ap-southeast-7", "Bangkok", 13.76, 100.50, 3},
	{"ca-central-1", "Montreal", 45.50, -73.57, 3},
	{"ca-west-1", "Calgary", 51.05, -114.07, 3},
	{"eu-central-1", "Frankfurt", 50.11, 8.68, 3},
	{"eu-central-2", "Zurich", 47.37, 8.54, 3},
	{"eu-north-1", "Stockholm", 59.33, 18.07, 3},
	{"eu-south-1", "Milan", 45.46, 9.19, 3},
	{"eu-south-2", "Aragon", 41.65, -0.88, 3},
	{"eu-west-1", "Dublin", 53.35, -6.26, 3},
	{"eu-west-2", "London", 51.51, -0.13, 3},
	{"eu-west-3", "Paris", 48.86, 2.35, 3},
	{"il-central-1", "Tel Aviv", 32.09, 34.78, 3},
	{"me-central-1", "Abu Dhabi", 24.45, 54.38, 3},
	{"me-south-1", "Bahrain", 26.07, 50.56, 3},
	{"mx-central-1", "Queretaro", 20.59, -100.39, 3},
	{"sa-east-1", "Sao Paulo", -23.55, -46.63, 3},
	{"us-east-1", "N. Virginia", 38.90, -77.40, 3},
	{"us-east-2", "Ohio", 40.00, -83.00, 3},
	// us-west-1 gives most accounts only two usable availability zones.
	{"us-west-1", "N. California", 37.35, -121.96, 2},
	{"us-west-2", "Oregon", 45.84, -119.70, 3},
}

// LookupRegion returns the region named name and whether it is known.
func LookupRegion(name string) (Region, bool) {
	for _, r := range regionTable {
		if r.Name == name {
			return r, true
		}
	}
	return Region{}, false
}

// RegionNames returns the names of all known regions, sorted.
func RegionNames() []string {
	names := make([]string, 0, len(regionTable))
	for _, r := range regionTable {
		names = append(names, r.Name)
	}
	sort.Strings(names)
	return names
}

// DistanceKm is the great-circle distance between two regions in kilometres.
func DistanceKm(a, b Region) float64 {
	const earthRadiusKm = 6371.0
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat := rad(b.Lat - a.Lat)
	dLon := rad(b.Lon - a.Lon)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(h))
}

// NearestRegion returns the candidate closest to from, by great-circle
// distance; ties go to the candidate whose name sorts first, so the answer
// does not depend on the order of candidates. It returns false when no
// candidate is a known region.
func NearestRegion(from string, candidates []string) (string, float64, bool) {
	src, ok := LookupRegion(from)
	if !ok {
		return "", 0, false
	}
	best, bestKm, found := "", 0.0, false
	for _, c := range candidates {
		r, ok := LookupRegion(c)
		if !ok {
			continue
		}
		km := DistanceKm(src, r)
		if !found || km < bestKm || (km == bestKm && c < best) {
			best, bestKm, found = c, km, true
		}
	}
	return best, bestKm, found
}
