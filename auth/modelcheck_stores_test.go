package auth_test

// extraModelStores are the stores beyond memstore that the model check
// runs on.
var extraModelStores []modelStore
