import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../deps.ts'

export async function sandboxRoutes (_app: FastifyInstance, _deps: Deps): Promise<void> {}
