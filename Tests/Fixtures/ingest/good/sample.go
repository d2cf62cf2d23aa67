package sample

// GoGreeter says hello.
type GoGreeter struct {
	Name string
}

func GoSum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}
