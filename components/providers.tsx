"use client";
import { createContext, useContext, useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { SocketProvider } from "./realtime/socket";
import { LiveQueries } from "./realtime/live-queries";
import type { Actor } from "@/lib/auth/permissions";

const ActorCtx = createContext<Actor | null>(null);

export function useActor(): Actor {
  const a = useContext(ActorCtx);
  if (!a) throw new Error("useActor outside the console layout");
  return a;
}

export function Providers({ actor, children }: { actor: Actor; children: React.ReactNode }) {
  const [qc] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } }));
  return (
    <QueryClientProvider client={qc}>
      <SocketProvider>
        <LiveQueries />
        <ActorCtx.Provider value={actor}>{children}</ActorCtx.Provider>
      </SocketProvider>
    </QueryClientProvider>
  );
}
