package e2e_test

import (
	"context"
	"slices"
	"testing"

	"github.com/singletongen/singletongen/lifecycle"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/db"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/journal"
	"github.com/singletongen/singletongen/lifecycle/internal/e2e/repo"
)

// Shutdown never closes a fake that a test hook installed, nor drops it, and leaves
// alone what the hook set aside, which the hook's cleanup restores.
func TestShutdownLeavesFakesAndWhatHooksSetAside(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	realRepo, err := repo.GetRepo(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	realPool := realRepo.DB()
	// The hook's cleanup restores the instances after this one runs: close them in
	// the cleanup registered first, which runs last.
	t.Cleanup(func() {
		_ = repo.GetRepoManager().Reset()
		_ = db.GetDBManager().Reset()
	})

	t.Run("override", func(t *testing.T) {
		fakePool, fakeRepo := &db.DB{Journal: journal.Fake("db.DB")}, &repo.Repo{Journal: journal.Fake("repo.Repo")}
		db.SetDBForTest(t, fakePool)
		repo.SetRepoForTest(t, fakeRepo)
		if err := lifecycle.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		wantClosed(t)
		if fakePool.Journal.Closes() != 0 || fakeRepo.Journal.Closes() != 0 {
			t.Fatal("Shutdown closed an installed fake")
		}
		if got, err := db.GetDB(ctx); err != nil || got != fakePool {
			t.Fatalf("GetDB after Shutdown = (%p, %v), want the fake %p", got, err, fakePool)
		}
		if got, err := repo.GetRepo(ctx, "acme"); err != nil || got != fakeRepo {
			t.Fatalf("GetRepo after Shutdown = (%p, %v), want the fake %p", got, err, fakeRepo)
		}
		if got := lifecycle.Instances(); len(got) != 0 {
			t.Fatalf("Instances() with fakes installed = %+v, want none: fakes are not the managers'", got)
		}
	})

	if realPool.Journal.Closes() != 0 || realRepo.Journal.Closes() != 0 {
		t.Fatal("Shutdown during the override closed what the hooks set aside")
	}
	if got, err := db.GetDB(ctx); err != nil || got != realPool {
		t.Fatalf("GetDB after the override = (%p, %v), want the pool set aside %p", got, err, realPool)
	}
	if got, err := repo.GetRepo(ctx, "acme"); err != nil || got != realRepo {
		t.Fatalf("GetRepo after the override = (%p, %v), want the repository set aside %p", got, err, realRepo)
	}
}

// A manager whose instances a test hook set aside holds nothing of its own during the
// override, so a sweep (Instances, Shutdown, another manager joining) unlists it; the
// hook's cleanup lists it again as it restores them (Registration.Restored), so that
// Instances lists them and Shutdown closes them.
func TestRestoredInstancesListedAgain(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	realRepo, err := repo.GetRepo(ctx, "acme") // builds the pool too
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = repo.GetRepoManager().Reset()
		_ = db.GetDBManager().Reset()
	})
	t.Run("override", func(t *testing.T) {
		db.SetDBForTest(t, &db.DB{Journal: journal.Fake("db.DB")})
		repo.SetRepoForTest(t, &repo.Repo{Journal: journal.Fake("repo.Repo")})
		lifecycle.Instances() // sweeps: neither manager holds an instance of its own now
	})
	if got, _ := repo.GetRepo(ctx, "acme"); got != realRepo {
		t.Fatal("the cleanup did not restore the repository")
	}
	if got := names(lifecycle.Instances()); !slices.Equal(got, []string{"db.DB", "repo.Repo"}) {
		t.Errorf("Instances() after the override lists %v, want [db.DB repo.Repo]: the restored instances", got)
	}
	journal.Reset()
	if err := lifecycle.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	wantClosed(t, "repo.Repo", "db.DB")
}
