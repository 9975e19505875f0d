package pages

// NeedNode is needNode, for the package's outside tests.
var NeedNode = needNode
