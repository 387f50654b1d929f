package authaccount

// NoAccountUserID is noAccountUserID, for tests that look for the
// throwaway token of an unknown address in the store.
var NoAccountUserID = noAccountUserID
